import type { EventEnvelope } from '@vinsight/contracts';
import { AGGREGATE_TYPE_OF_EVENT, isEventType } from '@vinsight/domain';
import { ProjectionRejection, reject } from './projection-rejection';
import { SourceRecord } from './source-record';

/** ISO-8601 with a date, a time and a zone, which Postgres reads as the same instant. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** 8-4-4-4-12 hex digits. A loop, not a regex: it runs several times for each of millions of records. */
export function isUuid(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 36) return false;
  for (let i = 0; i < 36; i += 1) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) {
      return false;
    }
  }
  return true;
}
export const isIsoTime = (value: unknown): value is string =>
  typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));

/** A record with its envelope read and checked (CONTRACT §4), or the reason it could not be. */
export type DecodedRecord =
  | { readonly ok: true; readonly record: SourceRecord; readonly envelope: EventEnvelope }
  | { readonly ok: false; readonly record: SourceRecord; readonly rejection: ProjectionRejection; readonly partial: PartialEnvelope };

/** What could be read of a rejected envelope, for the parked row. */
export interface PartialEnvelope {
  eventId?: string;
  type?: string;
  tenantId?: string;
}

/**
 * Reads one record's JSON envelope and checks the fields every event has. Payloads are checked
 * by the read model that applies them. `correlationId` falls back to `commandId` (CONTRACT §2).
 */
export function decodeRecord(record: SourceRecord): DecodedRecord {
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
    return { ok: true, record, envelope: checkEnvelope(parsed) };
  } catch (error) {
    if (!(error instanceof ProjectionRejection)) throw error;
    return { ok: false, record, rejection: error, partial: partialOf(parsed) };
  }
}

function checkEnvelope(value: unknown): EventEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) reject('INVALID_ENVELOPE', 'the envelope is not a JSON object');
  const e = value as Record<string, unknown>;
  if (!isEventType(e.type)) reject('UNSUPPORTED_EVENT', `unknown event type ${JSON.stringify(e.type)}`);
  if (!isUuid(e.eventId)) reject('INVALID_ENVELOPE', 'eventId must be a UUID');
  if (!isUuid(e.tenantId)) reject('INVALID_ENVELOPE', 'tenantId must be a UUID');
  if (!isUuid(e.aggregateId)) reject('INVALID_ENVELOPE', 'aggregateId must be a UUID');
  if (!isUuid(e.commandId)) reject('INVALID_ENVELOPE', 'commandId must be a UUID');
  if (e.correlationId !== undefined && !isUuid(e.correlationId)) reject('INVALID_ENVELOPE', 'correlationId must be a UUID');
  if (!Number.isInteger(e.version) || (e.version as number) < 1 || (e.version as number) > 2147483647) {
    reject('INVALID_ENVELOPE', 'version must be a positive integer');
  }
  if (e.schemaVersion !== undefined && (!Number.isInteger(e.schemaVersion) || (e.schemaVersion as number) < 1)) {
    reject('INVALID_ENVELOPE', 'schemaVersion must be a positive integer');
  }
  if (!isIsoTime(e.occurredAt)) reject('INVALID_ENVELOPE', 'occurredAt must be an ISO-8601 time');
  if (typeof e.payload !== 'object' || e.payload === null || Array.isArray(e.payload)) reject('INVALID_ENVELOPE', 'payload must be an object');
  if (e.issuedBy !== undefined && e.issuedBy !== null && typeof e.issuedBy !== 'string') reject('INVALID_ENVELOPE', 'issuedBy must be a string');
  const aggregateType = AGGREGATE_TYPE_OF_EVENT[e.type as keyof typeof AGGREGATE_TYPE_OF_EVENT];
  if (e.aggregateType !== undefined && e.aggregateType !== aggregateType) {
    reject('INVALID_ENVELOPE', `aggregateType of ${String(e.type)} must be ${aggregateType}`);
  }
  // Ids are compared as strings in memory: one spelling per id, as Postgres prints them. The
  // parsed object is this function's own, so it is completed in place.
  e.eventId = (e.eventId as string).toLowerCase();
  e.tenantId = (e.tenantId as string).toLowerCase();
  e.aggregateId = (e.aggregateId as string).toLowerCase();
  e.aggregateType = aggregateType;
  e.schemaVersion = (e.schemaVersion as number | undefined) ?? 1;
  e.commandId = (e.commandId as string).toLowerCase();
  e.correlationId = e.correlationId === undefined ? e.commandId : (e.correlationId as string).toLowerCase();
  return e as unknown as EventEnvelope;
}

function partialOf(value: unknown): PartialEnvelope {
  if (typeof value !== 'object' || value === null) return {};
  const e = value as Record<string, unknown>;
  return {
    ...(isUuid(e.eventId) && { eventId: e.eventId }),
    ...(typeof e.type === 'string' && { type: e.type.slice(0, 100) }),
    ...(isUuid(e.tenantId) && { tenantId: e.tenantId }),
  };
}
