/**
 * `npm run bench:rebuild`: how long the command processor takes to rebuild one partition's
 * write model from 1,000,000 events, from the topics alone and from a snapshot (plus a tail of
 * events written after it). Environment: BENCH_EVENTS (default 1000000), BENCH_TAIL (10000).
 * The last line of output is one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { decide, DomainCommand, initialTenantWriteState, TenantWriteState, evolveTenantWriteState, toSnapshot } from '@vinsight/domain';
import { emailHasher } from '@vinsight/personal-data';
import { testPersonalDataKeys } from '../libs/personal-data/src/testing/test-keys';
import { toEventEnvelope } from '@vinsight/contracts';
import { PartitionStateLoader, SnapshotStore } from '@vinsight/command-processing';
import { createKafkaClient, topicNames, TopicAdmin } from '@vinsight/kafka';
import { loadKafkaSecurity } from '@vinsight/config';
import { logLevel, Partitioners } from 'kafkajs';
import { Pool } from 'pg';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const TAIL = Number(process.env.BENCH_TAIL ?? 10_000);
const TENANTS = 200;
const MONITORS = 20;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const DATABASE_URL = process.env.PROJECTOR_DATABASE_URL ?? 'postgres://vinsight_projector@127.0.0.1:5432/vinsight_test';
const log = (line: string) => process.stdout.write(line + '\n');

/** Realistic events made by the real decider: tenants, monitors, then monitor updates. */
function* eventStream(total: number): Generator<{ tenantId: string; value: string }> {
  const now = new Date();
  const states = new Map<string, TenantWriteState>();
  const tenants = Array.from({ length: TENANTS }, () => ({
    id: randomUUID(),
    monitors: Array.from({ length: MONITORS }, () => randomUUID()),
  }));
  let produced = 0;
  const run = function* (command: DomainCommand) {
    const tenantId = command.metadata.tenantId;
    const state = states.get(tenantId) ?? initialTenantWriteState();
    const decision = decide(command, state, { emailHashOf: emailHasher(testPersonalDataKeys().emailHashKey) });
    if (!decision.ok) throw new Error(`${command.type}: ${decision.error.message}`);
    let next = state;
    for (const [index, event] of decision.events.entries()) {
      next = evolveTenantWriteState(next, event);
      const envelope = toEventEnvelope(event, {
        eventId: randomUUID(),
        occurredAt: now,
        tenantId,
        commandId: command.metadata.commandId,
        correlationId: command.metadata.commandId,
      });
      produced++;
      yield { tenantId, value: JSON.stringify(envelope), index };
    }
    states.set(tenantId, next);
  };
  const meta = (tenantId: string) => ({ commandId: randomUUID(), tenantId, correlationId: randomUUID(), now });
  for (const t of tenants) {
    yield* run({
      type: 'CreateTenant',
      data: { name: 'Bench', slug: `b-${t.id}`, plan: 'enterprise' },
      metadata: meta(t.id),
    } as DomainCommand);
    for (const monitorId of t.monitors) {
      yield* run({
        type: 'CreateMonitor',
        data: { monitorId, name: 'm', url: 'https://example.com/', checkInterval: 60 },
        metadata: meta(t.id),
      } as DomainCommand);
    }
  }
  for (let i = 0; produced < total; i++) {
    const t = tenants[i % TENANTS];
    const monitorId = t.monitors[Math.floor(i / TENANTS) % MONITORS];
    yield* run({ type: 'UpdateMonitor', data: { monitorId, name: `m${i}` }, metadata: meta(t.id) } as DomainCommand);
  }
}

async function produce(
  kafka: ReturnType<typeof createKafkaClient>,
  topic: string,
  generator: Generator<{ tenantId: string; value: string }>,
  count: number,
) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let batch: { key: string; value: string; partition: number }[] = [];
  let sent = 0;
  // Manual iteration: breaking out of a for-of would close the generator for the next call.
  for (let next = generator.next(); !next.done; next = generator.next()) {
    const record = next.value;
    batch.push({ key: record.tenantId, value: record.value, partition: 0 });
    if (batch.length === 1000) {
      await producer.send({ topic, acks: 1, messages: batch });
      sent += batch.length;
      batch = [];
      if (sent >= count) break;
    }
  }
  if (batch.length > 0) await producer.send({ topic, acks: 1, messages: batch });
  await producer.disconnect();
}

async function main() {
  const prefix = `bench.rebuild.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const kafka = createKafkaClient({ brokers: BROKERS, ...loadKafkaSecurity(), clientId: 'bench-rebuild' }, { logLevel: logLevel.ERROR });
  const admin = new TopicAdmin(kafka, topics);
  await admin.ensureTopics({ partitions: 1, replicationFactor: 1 });
  await admin.disconnect();
  const pool = new Pool({ connectionString: DATABASE_URL });
  const store = new SnapshotStore(pool);
  const loader = new PartitionStateLoader(kafka, topics, store, { emailHashOf: emailHasher(testPersonalDataKeys().emailHashKey) });
  try {
    const stream = eventStream(EVENTS + TAIL);
    let started = Date.now();
    await produce(kafka, topics.events, stream, EVENTS);
    log(`wrote ${EVENTS} events to ${topics.events}[0] in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    started = Date.now();
    const fromLog = (await loader.load([0])).get(0)!;
    const withoutSnapshotMs = Date.now() - started;
    log(`rebuild without snapshot: ${withoutSnapshotMs} ms (${fromLog.tenants.size} tenants)`);

    started = Date.now();
    const bytes = await store.save(topics.commands, 0, {
      offsets: { events: fromLog.nextOffsets.get(topics.events)!, checkEvents: 0n, results: 0n },
      tenants: [...fromLog.tenants].map(([tenantId, state]) => ({ tenantId, state: toSnapshot(state) })),
      results: [],
    });
    log(`snapshot saved: ${bytes} bytes in ${Date.now() - started} ms`);
    await produce(kafka, topics.events, stream, TAIL);

    started = Date.now();
    const fromSnapshot = (await loader.load([0])).get(0)!;
    const withSnapshotMs = Date.now() - started;
    log(`rebuild from snapshot + ${TAIL} events: ${withSnapshotMs} ms (${fromSnapshot.tenants.size} tenants)`);
    log(
      JSON.stringify({
        bench: 'rebuild',
        events: EVENTS,
        withoutSnapshotMs,
        withSnapshotMs,
        tailEvents: TAIL,
        speedup: Number((withoutSnapshotMs / withSnapshotMs).toFixed(1)),
      }),
    );
  } finally {
    await pool.query('DELETE FROM processor_snapshots WHERE stream = $1', [topics.commands]).catch(() => undefined);
    await pool.end();
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await cleanup.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:rebuild failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
