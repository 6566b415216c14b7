import type { PoolClient } from 'pg';
import { unnestRows, UnnestColumn } from '../sql/unnest';
import { MonitorState } from './monitors.projection';
import { ApiKeyRow, AuditEventRow, IncidentRow, MonitorRow, TenantRow, UserRow } from './read-model-rows';

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** A tenant's id and another id, the key of most read-model rows. */
export interface TenantScopedKey {
  tenantId: string;
  id: string;
}

const keyParams = (keys: readonly TenantScopedKey[]) => [keys.map((k) => k.tenantId), keys.map((k) => k.id)];

/**
 * Reads and writes the lifecycle read models (tenants, users, api keys, monitors, incidents,
 * audit events) set-based: one SELECT per table for the batch's aggregates, one upsert per table
 * for their final rows. Every upsert keeps the version guard in SQL too, so a stale writer can
 * never move a row backwards.
 */
export class LifecycleWriter {
  async loadTenants(client: PoolClient, ids: readonly string[]): Promise<Map<string, TenantRow>> {
    if (ids.length === 0) return new Map();
    const { rows } = await client.query(
      `SELECT id, name, slug, plan, is_active, deactivation_reason, version, created_at, updated_at, deleted_at
       FROM tenants WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          name: r.name,
          slug: r.slug,
          plan: r.plan,
          isActive: r.is_active,
          deactivationReason: r.deactivation_reason,
          version: r.version,
          createdAt: iso(r.created_at)!,
          updatedAt: iso(r.updated_at)!,
          deletedAt: iso(r.deleted_at),
        },
      ]),
    );
  }

  async loadUsers(client: PoolClient, keys: readonly TenantScopedKey[]): Promise<Map<string, UserRow>> {
    if (keys.length === 0) return new Map();
    const { rows } = await client.query(
      `SELECT u.tenant_id, u.id, email, password_hash, role, is_active, last_login_at, version, created_at, updated_at, deleted_at
       FROM users u JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON u.tenant_id = k.tenant_id AND u.id = k.id`,
      keyParams(keys),
    );
    return new Map(
      rows.map((r) => [
        `${r.tenant_id}|${r.id}`,
        {
          tenantId: r.tenant_id,
          id: r.id,
          email: r.email,
          passwordHash: r.password_hash,
          role: r.role,
          isActive: r.is_active,
          lastLoginAt: iso(r.last_login_at),
          version: r.version,
          createdAt: iso(r.created_at)!,
          updatedAt: iso(r.updated_at)!,
          deletedAt: iso(r.deleted_at),
        },
      ]),
    );
  }

  async loadApiKeys(client: PoolClient, keys: readonly TenantScopedKey[]): Promise<Map<string, ApiKeyRow>> {
    if (keys.length === 0) return new Map();
    const { rows } = await client.query(
      `SELECT a.tenant_id, a.id, name, token_sha256, expires_at, revoked_at, version, created_at, updated_at
       FROM api_keys a JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON a.tenant_id = k.tenant_id AND a.id = k.id`,
      keyParams(keys),
    );
    return new Map(
      rows.map((r) => [
        `${r.tenant_id}|${r.id}`,
        {
          tenantId: r.tenant_id,
          id: r.id,
          name: r.name,
          tokenSha256: r.token_sha256,
          expiresAt: iso(r.expires_at),
          revokedAt: iso(r.revoked_at),
          version: r.version,
          createdAt: iso(r.created_at)!,
          updatedAt: iso(r.updated_at)!,
        },
      ]),
    );
  }

  /** Monitors with their open incident (at most one per monitor). */
  async loadMonitors(client: PoolClient, keys: readonly TenantScopedKey[]): Promise<Map<string, MonitorState>> {
    if (keys.length === 0) return new Map();
    const { rows } = await client.query(
      `SELECT m.tenant_id, m.id, m.name, m.url, m.check_interval, m.is_active, m.status, m.status_changed_at, m.version,
              m.created_at, m.updated_at, m.deleted_at,
              i.id AS incident_id, i.started_at AS incident_started_at, i.first_error AS incident_first_error
       FROM monitors m
       JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON m.tenant_id = k.tenant_id AND m.id = k.id
       LEFT JOIN incidents i ON i.tenant_id = m.tenant_id AND i.monitor_id = m.id AND i.resolved_at IS NULL`,
      keyParams(keys),
    );
    return new Map(
      rows.map((r) => {
        const monitor: MonitorRow = {
          tenantId: r.tenant_id,
          id: r.id,
          name: r.name,
          url: r.url,
          checkInterval: r.check_interval,
          isActive: r.is_active,
          status: r.status,
          statusChangedAt: iso(r.status_changed_at),
          version: r.version,
          createdAt: iso(r.created_at)!,
          updatedAt: iso(r.updated_at)!,
          deletedAt: iso(r.deleted_at),
        };
        const openIncident: IncidentRow | null =
          r.incident_id === null
            ? null
            : { tenantId: r.tenant_id, id: r.incident_id, monitorId: r.id, startedAt: iso(r.incident_started_at)!, resolvedAt: null, firstError: r.incident_first_error };
        return [`${r.tenant_id}|${r.id}`, { monitor, openIncident, incidents: new Map() }];
      }),
    );
  }

  async upsertTenants(client: PoolClient, rows: readonly TenantRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { from, params } = unnestRows(TENANT_COLUMNS, rows);
    await client.query(
      `INSERT INTO tenants AS t (${names(TENANT_COLUMNS)}) SELECT * FROM ${from}
       ON CONFLICT (id) DO UPDATE SET ${assignments(TENANT_COLUMNS, ['id', 'created_at'])}
       WHERE t.version < EXCLUDED.version`,
      params,
    );
  }

  /**
   * Rows that exist are written first: a user removed in this batch frees its email for a user
   * registered later in the same batch (users_tenant_email_key is checked row by row).
   */
  async upsertUsers(client: PoolClient, rows: readonly UserRow[], existing: ReadonlySet<string>): Promise<void> {
    if (rows.length === 0) return;
    const ordered = [...rows].sort((a, b) => Number(!existing.has(`${a.tenantId}|${a.id}`)) - Number(!existing.has(`${b.tenantId}|${b.id}`)));
    const { from, params } = unnestRows(USER_COLUMNS, ordered);
    await client.query(
      `INSERT INTO users AS t (${names(USER_COLUMNS)}) SELECT * FROM ${from}
       ON CONFLICT (tenant_id, id) DO UPDATE SET ${assignments(USER_COLUMNS, ['tenant_id', 'id', 'created_at'])}
       WHERE t.version < EXCLUDED.version`,
      params,
    );
  }

  async upsertApiKeys(client: PoolClient, rows: readonly ApiKeyRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { from, params } = unnestRows(API_KEY_COLUMNS, rows);
    await client.query(
      `INSERT INTO api_keys AS t (${names(API_KEY_COLUMNS)}) SELECT * FROM ${from}
       ON CONFLICT (tenant_id, id) DO UPDATE SET ${assignments(API_KEY_COLUMNS, ['tenant_id', 'id', 'created_at'])}
       WHERE t.version < EXCLUDED.version`,
      params,
    );
  }

  /**
   * A monitor created here may already have check results (check-events is another topic): its
   * new row takes the last of them, in the order of ChecksWriter's last-check update. Existing rows
   * keep their last-check columns, which only the checks projection writes. Rows come sorted by
   * key, so row locks are taken in the same order as the checks projection takes them.
   */
  async upsertMonitors(client: PoolClient, rows: readonly MonitorRow[], existing: ReadonlySet<string>): Promise<void> {
    if (rows.length === 0) return;
    const sorted = [...rows].sort((a, b) => compareKeys(a, b));
    const columns: UnnestColumn<MonitorRow>[] = [...MONITOR_COLUMNS, { name: 'is_new', type: 'boolean', value: (r) => !existing.has(`${r.tenantId}|${r.id}`) }];
    const { from, params } = unnestRows(columns, sorted);
    await client.query(
      `INSERT INTO monitors AS t (${names(MONITOR_COLUMNS)}, last_checked_at, last_response_time_ms, last_status_code, last_error_message)
       SELECT ${MONITOR_COLUMNS.map((c) => `u.${c.name}`).join(', ')},
              last.checked_at, last.response_time_ms, last.status_code, last.error_message
       FROM ${from}
       LEFT JOIN LATERAL (
         SELECT c.checked_at, c.response_time_ms, c.status_code, c.error_message
         FROM monitor_checks c
         WHERE c.tenant_id = u.tenant_id AND c.monitor_id = u.id
         ORDER BY c.checked_at DESC, coalesce(c.response_time_ms, -1) DESC, coalesce(c.status_code, -1) DESC,
                  coalesce(c.error_message, '') COLLATE "C" DESC
         LIMIT 1
       ) last ON u.is_new
       ON CONFLICT (tenant_id, id) DO UPDATE SET ${assignments(MONITOR_COLUMNS, ['tenant_id', 'id', 'created_at'])}
       WHERE t.version < EXCLUDED.version`,
      params,
    );
  }

  /** Incidents the batch resolved come before the ones it opened (one open incident per monitor). */
  async upsertIncidents(client: PoolClient, rows: readonly IncidentRow[]): Promise<void> {
    if (rows.length === 0) return;
    const ordered = [...rows].sort((a, b) => Number(a.resolvedAt === null) - Number(b.resolvedAt === null));
    const { from, params } = unnestRows(INCIDENT_COLUMNS, ordered);
    await client.query(
      `INSERT INTO incidents AS t (${names(INCIDENT_COLUMNS)}) SELECT * FROM ${from}
       ON CONFLICT (tenant_id, id) DO UPDATE SET resolved_at = EXCLUDED.resolved_at
       WHERE t.resolved_at IS NULL`,
      params,
    );
  }

  async insertAuditEvents(client: PoolClient, rows: readonly AuditEventRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { from, params } = unnestRows(AUDIT_COLUMNS, rows);
    await client.query(`INSERT INTO audit_events (${names(AUDIT_COLUMNS)}) SELECT * FROM ${from} ON CONFLICT (tenant_id, event_id) DO NOTHING`, params);
  }
}

const compareKeys = (a: TenantScopedKey, b: TenantScopedKey): number =>
  a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

const names = (columns: readonly UnnestColumn<never>[]): string => columns.map((c) => c.name).join(', ');
const assignments = (columns: readonly UnnestColumn<never>[], except: string[]): string =>
  columns.filter((c) => !except.includes(c.name)).map((c) => `${c.name} = EXCLUDED.${c.name}`).join(', ');

const TENANT_COLUMNS: UnnestColumn<TenantRow>[] = [
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'slug', type: 'text', value: (r) => r.slug },
  { name: 'plan', type: 'text', value: (r) => r.plan },
  { name: 'is_active', type: 'boolean', value: (r) => r.isActive },
  { name: 'deactivation_reason', type: 'text', value: (r) => r.deactivationReason },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'created_at', type: 'timestamptz', value: (r) => r.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
  { name: 'deleted_at', type: 'timestamptz', value: (r) => r.deletedAt },
];

const USER_COLUMNS: UnnestColumn<UserRow>[] = [
  { name: 'tenant_id', type: 'uuid', value: (r) => r.tenantId },
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'email', type: 'text', value: (r) => r.email },
  { name: 'password_hash', type: 'text', value: (r) => r.passwordHash },
  { name: 'role', type: 'text', value: (r) => r.role },
  { name: 'is_active', type: 'boolean', value: (r) => r.isActive },
  { name: 'last_login_at', type: 'timestamptz', value: (r) => r.lastLoginAt },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'created_at', type: 'timestamptz', value: (r) => r.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
  { name: 'deleted_at', type: 'timestamptz', value: (r) => r.deletedAt },
];

const API_KEY_COLUMNS: UnnestColumn<ApiKeyRow>[] = [
  { name: 'tenant_id', type: 'uuid', value: (r) => r.tenantId },
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'token_sha256', type: 'text', value: (r) => r.tokenSha256 },
  { name: 'expires_at', type: 'timestamptz', value: (r) => r.expiresAt },
  { name: 'revoked_at', type: 'timestamptz', value: (r) => r.revokedAt },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'created_at', type: 'timestamptz', value: (r) => r.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
];

const MONITOR_COLUMNS: UnnestColumn<MonitorRow>[] = [
  { name: 'tenant_id', type: 'uuid', value: (r) => r.tenantId },
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'name', type: 'text', value: (r) => r.name },
  { name: 'url', type: 'text', value: (r) => r.url },
  { name: 'check_interval', type: 'integer', value: (r) => r.checkInterval },
  { name: 'is_active', type: 'boolean', value: (r) => r.isActive },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'status_changed_at', type: 'timestamptz', value: (r) => r.statusChangedAt },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'created_at', type: 'timestamptz', value: (r) => r.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (r) => r.updatedAt },
  { name: 'deleted_at', type: 'timestamptz', value: (r) => r.deletedAt },
];

const INCIDENT_COLUMNS: UnnestColumn<IncidentRow>[] = [
  { name: 'tenant_id', type: 'uuid', value: (r) => r.tenantId },
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'monitor_id', type: 'uuid', value: (r) => r.monitorId },
  { name: 'started_at', type: 'timestamptz', value: (r) => r.startedAt },
  { name: 'resolved_at', type: 'timestamptz', value: (r) => r.resolvedAt },
  { name: 'first_error', type: 'text', value: (r) => r.firstError },
];

const AUDIT_COLUMNS: UnnestColumn<AuditEventRow>[] = [
  { name: 'tenant_id', type: 'uuid', value: (r) => r.tenantId },
  { name: 'event_id', type: 'uuid', value: (r) => r.eventId },
  { name: 'type', type: 'text', value: (r) => r.type },
  { name: 'schema_version', type: 'integer', value: (r) => r.schemaVersion },
  { name: 'aggregate_type', type: 'text', value: (r) => r.aggregateType },
  { name: 'aggregate_id', type: 'uuid', value: (r) => r.aggregateId },
  { name: 'version', type: 'integer', value: (r) => r.version },
  { name: 'occurred_at', type: 'timestamptz', value: (r) => r.occurredAt },
  { name: 'command_id', type: 'uuid', value: (r) => r.commandId },
  { name: 'correlation_id', type: 'uuid', value: (r) => r.correlationId },
  { name: 'issued_by', type: 'text', value: (r) => r.issuedBy },
  { name: 'payload', type: 'jsonb', value: (r) => r.payload },
];
