/**
 * The read-model rows the projector writes, as plain data. Times are ISO-8601 strings: the
 * envelope's own text when they come from an event, so replays write identical values.
 */
export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  plan: string;
  isActive: boolean;
  deactivationReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface UserRow {
  tenantId: string;
  id: string;
  email: string;
  passwordHash: string;
  role: string;
  isActive: boolean;
  lastLoginAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface ApiKeyRow {
  tenantId: string;
  id: string;
  name: string;
  tokenSha256: string;
  expiresAt: string | null;
  revokedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The monitor's definition and status; its last-check columns belong to the checks projection. */
export interface MonitorRow {
  tenantId: string;
  id: string;
  name: string;
  url: string;
  checkInterval: number;
  isActive: boolean;
  status: 'up' | 'down' | 'unknown';
  statusChangedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface IncidentRow {
  tenantId: string;
  id: string;
  monitorId: string;
  startedAt: string;
  resolvedAt: string | null;
  firstError: string | null;
}

export interface AuditEventRow {
  tenantId: string;
  eventId: string;
  type: string;
  schemaVersion: number;
  aggregateType: string;
  aggregateId: string;
  version: number;
  occurredAt: string;
  commandId: string;
  correlationId: string;
  issuedBy: string | null;
  /** JSON text of the payload. */
  payload: string;
}
