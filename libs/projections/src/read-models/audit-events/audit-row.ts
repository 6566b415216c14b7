import type { EventEnvelope } from '@vinsight/contracts';

const MAX_ISSUED_BY = 100;

/** A row of `audit_events`. */
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

/**
 * One audit row per event of the event store, with who issued it (`issuedBy`, an optional
 * extension of the envelope) and the ids that tie it to its command.
 */
export function auditRowOf(e: EventEnvelope): AuditEventRow {
  const issuedBy = typeof e.issuedBy === 'string' && e.issuedBy.length > 0 ? [...e.issuedBy].slice(0, MAX_ISSUED_BY).join('') : null;
  return {
    tenantId: e.tenantId,
    eventId: e.eventId,
    type: e.type,
    schemaVersion: e.schemaVersion,
    aggregateType: e.aggregateType,
    aggregateId: e.aggregateId,
    version: e.version,
    occurredAt: e.occurredAt,
    commandId: e.commandId,
    correlationId: e.correlationId,
    issuedBy,
    payload: JSON.stringify(auditPayloadOf(e)),
  };
}

/**
 * The payload as audited: without personal data, in the clear or sealed, nor the email's hash.
 * The audit trail says that a user was registered, with which role, not who they are; so there
 * is nothing in it for an erasure to remove.
 */
function auditPayloadOf(e: EventEnvelope): unknown {
  if (e.type !== 'UserRegistered') return e.payload;
  const { personal: _personal, emailHash: _emailHash, ...rest } = e.payload;
  return rest;
}
