import type { EventEnvelope } from '@vinsight/contracts';
import type { EventType } from '@vinsight/domain';
import { Kafka, Message, Partitioners } from 'kafkajs';
import { nameUuid } from '../../../scripts/bench-projector.workload';

export const BCRYPT = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

/** Builds one tenant's envelopes by hand, with versions per aggregate and a fixed clock. */
export class TenantEvents {
  readonly tenantId: string;
  private readonly versions = new Map<string, number>();
  private n = 0;

  constructor(
    readonly name: string,
    private readonly start = Date.parse('2026-01-15T00:00:00.000Z'),
  ) {
    this.tenantId = nameUuid(`${name}:tenant`);
  }

  id(label: string): string {
    return nameUuid(`${this.name}:${label}`);
  }

  at(minutes: number): string {
    return new Date(this.start + minutes * 60_000).toISOString();
  }

  event(
    type: EventType,
    aggregateType: string,
    aggregateId: string,
    payload: object,
    options: { at?: number; bump?: boolean; version?: number } = {},
  ): EventEnvelope {
    const version = options.version ?? (this.versions.get(aggregateId) ?? 0) + (options.bump === false ? 0 : 1);
    this.versions.set(aggregateId, Math.max(version, this.versions.get(aggregateId) ?? 0));
    const n = this.n++;
    return {
      eventId: nameUuid(`${this.name}:event:${n}`),
      type,
      schemaVersion: 1,
      tenantId: this.tenantId,
      aggregateType,
      aggregateId,
      version,
      occurredAt: this.at(options.at ?? n),
      commandId: nameUuid(`${this.name}:command:${n}`),
      correlationId: nameUuid(`${this.name}:command:${n}`),
      payload,
    } as unknown as EventEnvelope;
  }

  tenantCreated(plan = 'pro'): EventEnvelope {
    return this.event('TenantCreated', 'tenant', this.tenantId, {
      tenantId: this.tenantId,
      name: this.name,
      slug: `t-${this.tenantId.slice(0, 8)}`,
      plan,
    });
  }

  monitorCreated(label: string): EventEnvelope {
    const monitorId = this.id(label);
    return this.event('MonitorCreated', 'monitor', monitorId, { monitorId, name: label, url: 'https://example.com', checkInterval: 60 });
  }

  check(label: string, checkLabel: string, minutes: number, extra: Record<string, unknown> = {}): EventEnvelope {
    const monitorId = this.id(label);
    return this.event(
      'CheckRecorded',
      'monitor',
      monitorId,
      {
        monitorId,
        checkId: this.id(checkLabel),
        status: 'up',
        responseTimeMs: 100,
        statusCode: 200,
        checkedAt: this.at(minutes),
        ...extra,
      },
      { bump: false },
    );
  }
}

/** A record for `topic`: an envelope, or raw text for records that are not one. */
export const recordFor = (topic: string, key: string, value: EventEnvelope | string): { topic: string; message: Message } => ({
  topic,
  message: {
    key,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    headers:
      typeof value === 'string' ? {} : { type: value.type, schemaVersion: '1', eventId: value.eventId, correlationId: value.correlationId },
  },
});

/** Publishes records in order (one Kafka transaction), keyed so one tenant stays on one partition. */
/**
 * Publishes the records in one transaction and returns once a read_committed reader can see them.
 * The end such a reader sees (the last stable offset) moves when the commit's markers are written,
 * after commit() returns: seconds later on a broker that has just started. A test that measures
 * lag or writes checkpoints right after publishing would otherwise see the records as absent.
 */
export async function publishRecords(kafka: Kafka, transactionalId: string, records: { topic: string; message: Message }[]): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  const lastOffsets = new Map<string, { topic: string; partition: number; offset: bigint }>();
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    for (const record of records) {
      for (const sent of await transaction.send({ topic: record.topic, messages: [record.message] })) {
        const offset = BigInt(sent.baseOffset ?? '-1');
        const key = `${sent.topicName}:${sent.partition}`;
        if (offset > (lastOffsets.get(key)?.offset ?? -1n))
          lastOffsets.set(key, { topic: sent.topicName, partition: sent.partition, offset });
      }
    }
    await transaction.commit();
  } finally {
    await producer.disconnect();
  }
  await waitUntilVisible(kafka, [...lastOffsets.values()]);
}

async function waitUntilVisible(
  kafka: Kafka,
  lastOffsets: { topic: string; partition: number; offset: bigint }[],
  timeoutMs = 30_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hidden = [];
      for (const last of lastOffsets) {
        const ends = await admin.fetchTopicOffsets(last.topic);
        const end = BigInt(ends.find((e) => e.partition === last.partition)?.high ?? '0');
        if (end <= last.offset) hidden.push(`${last.topic}[${last.partition}] end ${end} <= ${last.offset}`);
      }
      if (hidden.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`committed records not visible to read_committed readers within ${timeoutMs} ms: ${hidden.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
