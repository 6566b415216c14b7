import { EVENT_VERSIONING, EventEnvelope, UnsupportedSchemaVersionError, UpcastContext } from '@vinsight/contracts';
import { AGGREGATE_TYPE_OF_EVENT, EventType, isEventType, storedTextProblem } from '@vinsight/domain';
import { ProjectionRejection, reject } from './projection-rejection';
import { CheckRow, checkRowOf } from '../read-models/checks/check-row';
import { isIsoTime, normalizedUuid } from './field-checks';
import { SourceRecord } from './source-record';

export { isIsoTime, isUuid } from './field-checks';

/**
 * A record with its envelope read and checked (asyncapi.yaml, EventEnvelope), or the reason it could not be. A
 * check result keeps only its monitor_checks row (mapped here, once, as the record arrives) and
 * its event id: the envelope of the bulk of the traffic is dropped at once instead of waiting in
 * memory for its batch.
 */
export type DecodedRecord = DecodedEvent | DecodedCheck | UndecodableRecord;

export interface DecodedEvent {
  readonly ok: true;
  readonly record: SourceRecord;
  readonly envelope: EventEnvelope;
  readonly check?: undefined;
}

export interface DecodedCheck {
  readonly ok: true;
  readonly record: SourceRecord;
  readonly envelope?: undefined;
  /** The monitor_checks row of the CheckRecorded event. */
  readonly check: CheckRow;
  readonly eventId: string;
}

export interface UndecodableRecord {
  readonly ok: false;
  readonly record: SourceRecord;
  readonly rejection: ProjectionRejection;
  readonly partial: PartialEnvelope;
}

/** The event type of a decoded record. */
export const eventTypeOf = (decoded: DecodedEvent | DecodedCheck): string => (decoded.check ? 'CheckRecorded' : decoded.envelope.type);

/** Event id, type and tenant of a record, as far as they could be read (for parked rows). */
export function identityOf(decoded: DecodedRecord): PartialEnvelope {
  if (!decoded.ok) return decoded.partial;
  if (decoded.check) return { eventId: decoded.eventId, type: 'CheckRecorded', tenantId: decoded.check.tenantId };
  const { eventId, type, tenantId } = decoded.envelope;
  return { eventId, type, tenantId };
}

/** What could be read of a rejected envelope, for the parked row. */
export interface PartialEnvelope {
  eventId?: string;
  type?: string;
  tenantId?: string;
}

/**
 * Reads one record's JSON envelope, checks the fields every event has and lifts its payload to
 * the current version of its type (event-upcasters.ts): read models only ever see the current
 * shape. An event of a version newer than this code is parked (UNSUPPORTED_EVENT) until the
 * projector is upgraded and it is replayed. Payloads are checked by the read model that applies them. `correlationId` falls back to `commandId` (asyncapi.yaml, CommandEnvelope).
 */
export function decodeRecord(record: SourceRecord, context: UpcastContext): DecodedRecord {
  let parsed: unknown;
  try {
    if (record.value === null) reject('UNREADABLE', 'the record has no value (a tombstone)');
    parsed = JSON.parse(record.value!.toString('utf8'));
  } catch (error) {
    const rejection =
      error instanceof ProjectionRejection ? error : new ProjectionRejection('UNREADABLE', `not JSON: ${(error as Error).message}`);
    return { ok: false, record, rejection, partial: {} };
  }
  try {
    const envelope = checkEnvelope(parsed, context);
    if (envelope.type === 'CheckRecorded') return { ok: true, record, check: checkRowOf(envelope), eventId: envelope.eventId };
    return { ok: true, record, envelope };
  } catch (error) {
    if (!(error instanceof ProjectionRejection)) throw error;
    return { ok: false, record, rejection: error, partial: partialOf(parsed) };
  }
}

function checkEnvelope(value: unknown, context: UpcastContext): EventEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) reject('INVALID_ENVELOPE', 'the envelope is not a JSON object');
  const e = value as Record<string, unknown>;
  if (!isEventType(e.type)) reject('UNSUPPORTED_EVENT', `unknown event type ${JSON.stringify(e.type)}`);
  const eventId = normalizedUuid(e.eventId);
  if (eventId === null) reject('INVALID_ENVELOPE', 'eventId must be a UUID');
  const tenantId = normalizedUuid(e.tenantId);
  if (tenantId === null) reject('INVALID_ENVELOPE', 'tenantId must be a UUID');
  const aggregateId = normalizedUuid(e.aggregateId);
  if (aggregateId === null) reject('INVALID_ENVELOPE', 'aggregateId must be a UUID');
  const commandId = normalizedUuid(e.commandId);
  if (commandId === null) reject('INVALID_ENVELOPE', 'commandId must be a UUID');
  const correlationId = e.correlationId === undefined ? commandId : normalizedUuid(e.correlationId);
  if (correlationId === null) reject('INVALID_ENVELOPE', 'correlationId must be a UUID');
  if (!Number.isInteger(e.version) || (e.version as number) < 1 || (e.version as number) > 2147483647) {
    reject('INVALID_ENVELOPE', 'version must be a positive integer');
  }
  if (e.schemaVersion !== undefined && (!Number.isInteger(e.schemaVersion) || (e.schemaVersion as number) < 1)) {
    reject('INVALID_ENVELOPE', 'schemaVersion must be a positive integer');
  }
  if (!isIsoTime(e.occurredAt)) reject('INVALID_ENVELOPE', 'occurredAt must be an ISO-8601 time');
  if (typeof e.payload !== 'object' || e.payload === null || Array.isArray(e.payload))
    reject('INVALID_ENVELOPE', 'payload must be an object');
  if (e.issuedBy !== undefined && e.issuedBy !== null && typeof e.issuedBy !== 'string')
    reject('INVALID_ENVELOPE', 'issuedBy must be a string');
  // The audit row keeps its first 100 code points, so only what Postgres cannot store at all is refused.
  const issuedByProblem = typeof e.issuedBy === 'string' ? storedTextProblem(e.issuedBy, { min: 0, max: Number.MAX_SAFE_INTEGER }) : null;
  if (issuedByProblem !== null) reject('INVALID_ENVELOPE', `issuedBy ${issuedByProblem}`);
  const aggregateType = AGGREGATE_TYPE_OF_EVENT[e.type as keyof typeof AGGREGATE_TYPE_OF_EVENT];
  if (e.aggregateType !== undefined && e.aggregateType !== aggregateType) {
    reject('INVALID_ENVELOPE', `aggregateType of ${String(e.type)} must be ${aggregateType}`);
  }
  const current = upcast(e.type as EventType, e.schemaVersion, e.payload as Record<string, unknown>, context);
  // The parsed object is this function's own, so it is completed in place.
  e.schemaVersion = current.schemaVersion;
  e.payload = current.payload;
  e.eventId = eventId;
  e.tenantId = tenantId;
  e.aggregateId = aggregateId;
  e.aggregateType = aggregateType;
  e.commandId = commandId;
  e.correlationId = correlationId;
  return e as unknown as EventEnvelope;
}

function upcast(
  type: EventType,
  schemaVersion: unknown,
  payload: Record<string, unknown>,
  context: UpcastContext,
): ReturnType<typeof EVENT_VERSIONING.upcast> {
  try {
    return EVENT_VERSIONING.upcast(type, schemaVersion, payload, context);
  } catch (error) {
    if (error instanceof UnsupportedSchemaVersionError) reject('UNSUPPORTED_EVENT', error.message);
    throw error;
  }
}

function partialOf(value: unknown): PartialEnvelope {
  if (typeof value !== 'object' || value === null) return {};
  const e = value as Record<string, unknown>;
  return {
    ...(normalizedUuid(e.eventId) !== null && { eventId: normalizedUuid(e.eventId)! }),
    ...(typeof e.type === 'string' && { type: e.type.slice(0, 100) }),
    ...(normalizedUuid(e.tenantId) !== null && { tenantId: normalizedUuid(e.tenantId)! }),
  };
}
