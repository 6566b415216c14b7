import { createHash } from 'node:crypto';
import type { EventEnvelope } from '@vinsight/contracts';
import type { EventType } from '@vinsight/domain';
import { Kafka, Message, Partitioners } from 'kafkajs';

/**
 * A deterministic, realistic event stream for the projector's benchmark and tests: tenants with
 * users, API keys and monitors, then check results per monitor in time order with the
 * MonitorStatusChanged events the command processor would publish after them, pauses, renames.
 * Everything derives from the seed, so two runs produce identical streams.
 */
export interface WorkloadOptions {
  tenants: number;
  monitorsPerTenant: number;
  checksPerMonitor: number;
  /** Time of the last check; checks go back from here. */
  end: Date;
  checkIntervalSeconds?: number;
  /** Probability that a check ends down or in error. */
  downRate?: number;
  seed?: number;
  /** Prefix of every id, so concurrent test runs never share a tenant. */
  namespace?: string;
}

export interface WorkloadRecord {
  role: 'events' | 'checkEvents';
  envelope: EventEnvelope;
}

const HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const PLANS = ['free', 'pro', 'enterprise'] as const;

/** Mulberry32: small, seeded, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function nameUuid(name: string): string {
  const hex = createHash('sha1').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16], 16) % 4]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function workloadSize(options: WorkloadOptions): number {
  let count = 0;
  for (const _ of generateWorkload(options)) count += 1;
  return count;
}

/**
 * The tenants' streams interleaved round-robin, as many tenants' commands arrive together; each
 * tenant's own events keep their order.
 */
export function* generateWorkload(options: WorkloadOptions): Generator<WorkloadRecord> {
  const streams = Array.from({ length: options.tenants }, (_, t) => tenantStream(options, t));
  while (streams.length > 0) {
    for (let i = 0; i < streams.length;) {
      const next = streams[i].next();
      if (next.done) streams.splice(i, 1);
      else {
        yield next.value;
        i += 1;
      }
    }
  }
}

function* tenantStream(options: WorkloadOptions, t: number): Generator<WorkloadRecord> {
  const random = seededRandom((options.seed ?? 42) * 100_003 + t);
  const ns = options.namespace ?? 'bench';
  const interval = (options.checkIntervalSeconds ?? 60) * 1000;
  const downRate = options.downRate ?? 0.02;
  const endMs = options.end.getTime();
  const startMs = endMs - (options.checksPerMonitor + 10) * interval;
  let eventCounter = 0;
  {
    const tenantId = nameUuid(`${ns}:tenant:${t}`);
    const versions = new Map<string, number>();
    const envelope = (
      type: EventType,
      aggregateType: string,
      aggregateId: string,
      payload: object,
      at: number,
      bump = true,
    ): WorkloadRecord => {
      const version = (versions.get(aggregateId) ?? 0) + (bump ? 1 : 0);
      versions.set(aggregateId, version);
      const n = eventCounter++;
      const commandId = nameUuid(`${ns}:command:${t}:${n}`);
      return {
        role: type === 'CheckRecorded' ? 'checkEvents' : 'events',
        envelope: {
          eventId: nameUuid(`${ns}:event:${t}:${n}`),
          type,
          schemaVersion: 1,
          tenantId,
          aggregateType,
          aggregateId,
          version,
          occurredAt: new Date(at).toISOString(),
          commandId,
          correlationId: commandId,
          ...(n % 3 === 0 ? { issuedBy: `service-${n % 5}` } : {}),
          payload,
        } as unknown as EventEnvelope,
      };
    };
    const setupAt = startMs - 3_600_000 + t * 1000;
    yield envelope(
      'TenantCreated',
      'tenant',
      tenantId,
      { tenantId, name: `Tenant ${t}`, slug: `${ns.replace(/[^a-z0-9]/g, '')}-t${t}`, plan: PLANS[t % 3] },
      setupAt,
    );
    for (let u = 0; u < 2; u += 1) {
      const userId = nameUuid(`${ns}:user:${t}:${u}`);
      yield envelope(
        'UserRegistered',
        'user',
        userId,
        { userId, email: `user${u}@tenant${t}.example.com`, passwordHash: HASH, role: u === 0 ? 'owner' : 'user' },
        setupAt + 10 + u,
      );
      if (u === 1) yield envelope('UserLoggedIn', 'user', userId, { userId, at: new Date(setupAt + 20).toISOString() }, setupAt + 20);
    }
    const apiKeyId = nameUuid(`${ns}:key:${t}`);
    yield envelope(
      'ApiKeyIssued',
      'api-key',
      apiKeyId,
      { apiKeyId, name: 'ci', tokenSha256: createHash('sha256').update(apiKeyId).digest('hex') },
      setupAt + 30,
    );
    if (t % 4 === 0) yield envelope('ApiKeyRevoked', 'api-key', apiKeyId, { apiKeyId }, setupAt + 31);

    const monitors = Array.from({ length: options.monitorsPerTenant }, (_, m) => ({
      id: nameUuid(`${ns}:monitor:${t}:${m}`),
      status: 'unknown' as 'unknown' | 'up' | 'down',
      paused: false,
    }));
    for (const [m, monitor] of monitors.entries()) {
      yield envelope(
        'MonitorCreated',
        'monitor',
        monitor.id,
        { monitorId: monitor.id, name: `Monitor ${m}`, url: `https://t${t}.example.com/m${m}`, checkInterval: 60 },
        setupAt + 40 + m,
      );
      if (m % 3 === 1)
        yield envelope(
          'MonitorUpdated',
          'monitor',
          monitor.id,
          { monitorId: monitor.id, name: `Monitor ${m} (renamed)` },
          setupAt + 40 + m,
        );
    }
    if (t % 5 === 0)
      yield envelope('TenantRenamed', 'tenant', tenantId, { name: `Tenant ${t} Inc`, previousName: `Tenant ${t}` }, setupAt + 50);

    // Every monitor records exactly checksPerMonitor checks; the first monitor pauses for a few
    // slots in the middle (a paused monitor records nothing) and catches up at the end.
    const pauseFrom = Math.floor(options.checksPerMonitor / 2);
    const pauseSlots = Math.min(10, options.checksPerMonitor);
    const recorded = monitors.map(() => 0);
    for (let c = 0; recorded.some((n) => n < options.checksPerMonitor); c += 1) {
      for (const [m, monitor] of monitors.entries()) {
        if (recorded[m] >= options.checksPerMonitor) continue;
        const checkedMs = startMs + c * interval + Math.floor(random() * 1000) + m;
        if (m === 0 && (c === pauseFrom || c === pauseFrom + pauseSlots)) {
          yield envelope(
            monitor.paused ? 'MonitorResumed' : 'MonitorPaused',
            'monitor',
            monitor.id,
            { monitorId: monitor.id },
            checkedMs - 1,
          );
          monitor.paused = !monitor.paused;
        }
        if (monitor.paused) continue;
        recorded[m] += 1;
        const roll = random();
        const status = roll < downRate / 2 ? 'down' : roll < downRate ? 'error' : 'up';
        const responseTimeMs =
          status === 'error' ? undefined : Math.min(600000, Math.round(Math.exp(4.6 + random() * 1.2 + (random() < 0.05 ? 2 : 0))));
        const checkId = nameUuid(`${ns}:check:${t}:${m}:${c}`);
        const checkedAt = new Date(checkedMs).toISOString();
        yield envelope(
          'CheckRecorded',
          'monitor',
          monitor.id,
          {
            monitorId: monitor.id,
            checkId,
            status,
            ...(responseTimeMs !== undefined && { responseTimeMs }),
            ...(status === 'up' ? { statusCode: 200 } : status === 'down' ? { statusCode: 503 } : {}),
            ...(status !== 'up' && { errorMessage: status === 'down' ? 'HTTP 503' : 'connect ETIMEDOUT' }),
            checkedAt,
            region: ['eu-west-1', 'us-east-1'][c % 2],
          },
          checkedMs,
          false,
        );
        const to = status === 'up' ? 'up' : 'down';
        if (to !== monitor.status) {
          yield envelope(
            'MonitorStatusChanged',
            'monitor',
            monitor.id,
            {
              monitorId: monitor.id,
              from: monitor.status,
              to,
              checkId,
              checkedAt,
              ...(status !== 'up' && { errorMessage: status === 'down' ? 'HTTP 503' : 'connect ETIMEDOUT' }),
            },
            checkedMs,
          );
          monitor.status = to;
        }
      }
    }
  }
}

/** The Kafka message of a workload record: key = tenant id, headers of asyncapi.yaml, EventEnvelope. */
export function messageOf(record: WorkloadRecord): Message {
  const e = record.envelope;
  return {
    key: e.tenantId,
    value: JSON.stringify(e),
    headers: { type: e.type, schemaVersion: String(e.schemaVersion), eventId: e.eventId, correlationId: e.correlationId },
  };
}

/**
 * A produce request's records (of all partitions) stay under this: a tenant's checks come in
 * runs, so one partition's share of 5,000 records went past the broker's message.max.bytes
 * (1 MiB) and the send failed with MESSAGE_TOO_LARGE.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * Publishes records as the command processor does: in Kafka transactions, keyed by tenant with
 * the Java-compatible partitioner, so a tenant's events and checks share one partition number.
 */
export async function publishWorkload(
  kafka: Kafka,
  topics: { events: string; checkEvents: string },
  records: Iterable<WorkloadRecord>,
  options: { perTransaction?: number; transactionalId: string; onProgress?: (published: number) => void },
): Promise<number> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId: options.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  let published = 0;
  try {
    let chunk: { record: WorkloadRecord; message: Message }[] = [];
    let chunkBytes = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const transaction = await producer.transaction();
      try {
        const events = chunk.filter((r) => r.record.role === 'events').map((r) => r.message);
        const checks = chunk.filter((r) => r.record.role === 'checkEvents').map((r) => r.message);
        await transaction.sendBatch({
          topicMessages: [
            ...(events.length > 0 ? [{ topic: topics.events, messages: events }] : []),
            ...(checks.length > 0 ? [{ topic: topics.checkEvents, messages: checks }] : []),
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
      published += chunk.length;
      options.onProgress?.(published);
      chunk = [];
      chunkBytes = 0;
    };
    for (const record of records) {
      const message = messageOf(record);
      chunk.push({ record, message });
      chunkBytes += (message.value as string).length;
      if (chunk.length >= (options.perTransaction ?? 5000) || chunkBytes >= MAX_REQUEST_BYTES) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return published;
}
