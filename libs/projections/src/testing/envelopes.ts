import { createHash } from 'node:crypto';
import type { EventEnvelope } from '@vinsight/contracts';
import type { EventType } from '@vinsight/domain';
import { SourceRecord } from '../events/source-record';

/** A UUID derived from a name, so tests read `id('monitor-1')` and stay deterministic. */
export function id(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const FIXED_TIME = '2026-01-15T10:20:30.000Z';

const AGGREGATE: Record<string, string> = {
  Tenant: 'tenant',
  User: 'user',
  ApiKey: 'api-key',
  Monitor: 'monitor',
  Check: 'monitor',
};

/** An envelope of asyncapi.yaml, EventEnvelope with sensible defaults; `overrides` win. */
export function envelope(type: EventType, payload: object, overrides: Partial<Record<keyof EventEnvelope, unknown>> = {}): EventEnvelope {
  const prefix = Object.keys(AGGREGATE).find((p) => type.startsWith(p))!;
  const tenantId = (overrides.tenantId as string | undefined) ?? id('tenant');
  const p = payload as Record<string, string>;
  const aggregateId = p.userId ?? p.apiKeyId ?? p.monitorId ?? tenantId;
  return {
    eventId: id(`event:${type}:${JSON.stringify(payload)}:${JSON.stringify(overrides)}`),
    type,
    schemaVersion: 1,
    tenantId,
    aggregateType: AGGREGATE[prefix],
    aggregateId,
    version: 1,
    occurredAt: FIXED_TIME,
    commandId: id(`command:${type}:${JSON.stringify(payload)}`),
    correlationId: id('correlation'),
    payload,
    ...overrides,
  } as unknown as EventEnvelope;
}

let nextOffset = 0n;

/** A Kafka record carrying `value` (an envelope, or any text for unreadable records). */
export function recordOf(
  value: EventEnvelope | string | null,
  position: Partial<Pick<SourceRecord, 'topic' | 'partition' | 'offset'>> = {},
): SourceRecord {
  const text = value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
  return {
    topic: position.topic ?? 'test.events',
    partition: position.partition ?? 0,
    offset: position.offset ?? nextOffset++,
    key: Buffer.from(typeof value === 'object' && value !== null ? value.tenantId : 'key'),
    value: text === null ? null : Buffer.from(text),
    headers: {},
  };
}

/** The n-th CheckRecorded of one monitor, a minute after the previous one, as the checks specs share it. */
export function checkRecordedEnvelope(n: number, payload: Record<string, unknown> = {}): EventEnvelope {
  return envelope(
    'CheckRecorded',
    {
      monitorId: id('monitor'),
      checkId: id(`check-${n}`),
      status: 'up',
      responseTimeMs: 100 + n,
      statusCode: 200,
      checkedAt: new Date(Date.parse('2026-01-15T10:00:00.000Z') + n * 60_000).toISOString(),
      ...payload,
    },
    { aggregateId: id('monitor') },
  );
}
