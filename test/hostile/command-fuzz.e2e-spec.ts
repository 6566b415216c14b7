import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createKafkaClient, topicNames } from '@vinsight/kafka';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { command, createTenant } from '../commands/commands';
import { TopicCapture } from '../commands/topic-capture';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { projectorPool } from '../read-api/read-api.harness';
import { testEnv } from '../test-env';
import { cleanUpRun } from './hostile-run';
import { expectedAnswer, FuzzMessage, fuzzMessages } from './command-fuzz.arbitraries';

/** Fixed seeds: each run sends the same shapes (ids are new per run). */
const SEEDS = [1207, 4242];
const MESSAGES_PER_SEED = 5_200;
const TENANTS = 12;
const SEND_BATCH = 250;
const SEND_BATCH_BYTES = 700 * 1024;
const JWT_SECRET = `fuzz-secret-${randomUUID()}`;
/** Read-back types: each leaves the monitor or tenant it names readable. */
const MONITOR_CHANGES = new Set(['CreateMonitor', 'UpdateMonitor', 'PauseMonitor', 'ResumeMonitor']);
const TENANT_CHANGES = new Set(['CreateTenant', 'RenameTenant']);
const MAX_READ_BACKS = 3_000;

interface Result {
  commandId: string;
  status: 'accepted' | 'rejected';
  tenantId: string | null;
  type: string | null;
  aggregateId?: string;
  position?: string;
  error?: { code: string; message: string };
}

/**
 * Acceptance of issue 12: over 10,000 generated command messages (deep nesting, prototype keys,
 * huge arrays, lone surrogates, NULs, bidi controls, numbers at every edge, wrong types in every
 * field, valid commands mixed in) through real Kafka to the built processor, projector and read
 * API. Every message gets exactly one result or one dead letter, no transaction fails (so no
 * partition reloads), nothing accepted is parked by the projector, and what was accepted is
 * readable with its result's token.
 */
describe('command fuzzing over Kafka', () => {
  const prefix = `e2e.fuzz.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const env = roleEnvironment({
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-fuzz-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '3',
    MIGRATE_ON_START: 'false',
    READ_API_RATE_LIMIT_PER_SECOND: '0',
    JWT_HS256_SECRET: JWT_SECRET,
  });
  let kafka: Kafka;
  let producer: Producer;
  let pool: Pool;
  let capture: TopicCapture;
  let processor: ServiceProcess;
  let projector: ServiceProcess;
  let api: ServiceProcess;
  const tenants: string[] = [];

  beforeAll(async () => {
    pool = projectorPool();
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'fuzz-e2e' }, { logLevel: 1 });
    processor = ServiceProcess.start('command-processor', { ...env, MIGRATE_ON_START: 'true' }, await freePort());
    await processor.waitFor('/health/startup', 60000);
    projector = ServiceProcess.start('projector', env, await freePort());
    api = ServiceProcess.start('read-api', env, await freePort());
    await Promise.all([projector.waitFor('/health/startup', 60000), api.waitFor('/health/live')]);
    capture = await TopicCapture.start(kafka, [topics.commandResults, topics.commandsDlq]);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await capture?.stop();
    await Promise.all([api?.stop(), projector?.stop(), processor?.stop()]);
    await cleanUpRun(pool, kafka, topics, prefix, tenants);
  });

  const results = () => capture.of(topics.commandResults).map((r) => r.json as Result);

  /** In produce requests under the broker's 1 MB limit. */
  async function send(messages: readonly FuzzMessage[]) {
    let batch: FuzzMessage[] = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await producer.send({
        topic: topics.commands,
        acks: -1,
        messages: batch.map((m) => ({ key: m.key, value: m.value, headers: { 'fuzz-index': String(m.index) } })),
      });
      batch = [];
      bytes = 0;
    };
    for (const message of messages) {
      const size = (message.value?.length ?? 0) + 100;
      if (batch.length >= SEND_BATCH || bytes + size > SEND_BATCH_BYTES) await flush();
      batch.push(message);
      bytes += size;
    }
    await flush();
  }

  async function waitUntil(condition: () => boolean, timeoutMs: number, what: () => string) {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('answers every message once, never fails a transaction, and keeps whatever it accepts readable', async () => {
    const started = Date.now();
    for (let i = 0; i < TENANTS; i += 1) tenants.push(randomUUID());
    const setup = tenants.map((tenantId) => createTenant(tenantId, { plan: 'enterprise' }));
    await send(
      setup.map((envelope, index) => ({
        index: -1 - index,
        kind: 'setup',
        key: envelope.tenantId,
        value: Buffer.from(JSON.stringify(envelope)),
      })),
    );
    await waitUntil(
      () => results().length >= TENANTS,
      30_000,
      () => `${results().length} of ${TENANTS} tenants created`,
    );
    expect(results().map((r) => r.status)).toEqual(tenants.map(() => 'accepted'));

    const messages = SEEDS.flatMap((seed, run) =>
      fuzzMessages(seed, MESSAGES_PER_SEED, tenants, new Date()).map((m) => ({ ...m, index: run * MESSAGES_PER_SEED + m.index })),
    );
    const expected = messages.map((m) => ({ message: m, answer: expectedAnswer(m.value) }));
    const expectedResults = expected.filter((e) => 'result' in e.answer).length;
    const expectedDeadLetters = expected.length - expectedResults;
    await send(messages);
    // A last command behind everything on every partition: once each is answered, all before it are.
    const sentinels = tenants.map((tenantId) => command('RenameTenant', tenantId, { name: 'After the fuzz' }));
    await send(
      sentinels.map((envelope, index) => ({
        index: -100 - index,
        kind: 'sentinel',
        key: envelope.tenantId,
        value: Buffer.from(JSON.stringify(envelope)),
      })),
    );
    const total = TENANTS + expectedResults + sentinels.length;
    await waitUntil(
      () => results().length >= total && capture.of(topics.commandsDlq).length >= expectedDeadLetters,
      100_000,
      () =>
        `${results().length} of ${total} results, ${capture.of(topics.commandsDlq).length} of ${expectedDeadLetters} dead letters; processor:\n` +
        processor.logs.slice(-3000),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything extra would show by now
    const processed = Date.now();

    // Exactly one answer per message.
    const resultsById = new Map<string, Result[]>();
    for (const result of results()) resultsById.set(result.commandId, [...(resultsById.get(result.commandId) ?? []), result]);
    const deadLetterIndexes = capture.of(topics.commandsDlq).map((r) => {
      const header = (r.json.headers as { key: string; value: { data: string } | null }[]).find((h) => h.key === 'fuzz-index');
      return Number(header?.value?.data);
    });
    const answered = expected.map(({ message, answer }) => ({
      message,
      results: 'result' in answer ? (resultsById.get(answer.result) ?? []) : [],
      deadLetters: deadLetterIndexes.filter((index) => index === message.index).length,
      wantsResult: 'result' in answer,
    }));
    const wrong = answered.filter((a) =>
      a.wantsResult ? a.results.length !== 1 || a.deadLetters !== 0 : a.results.length !== 0 || a.deadLetters !== 1,
    );
    expect(
      wrong.map((a) => ({ index: a.message.index, kind: a.message.kind, results: a.results.length, deadLetters: a.deadLetters })),
    ).toEqual([]);
    expect(resultsById.size).toBe(total);

    // No transaction failed: no partition was reloaded, and no command met an internal error.
    const logs = processor.logs;
    const failedTransactions = (logs.match(/commands\[\d+\]: slice failed/g) ?? []).length;
    const internalErrors = (logs.match(/internal error [0-9a-f-]{36}/g) ?? []).length;
    expect({ failedTransactions, internalErrors }).toEqual({ failedTransactions: 0, internalErrors: 0 });

    // Whatever was accepted is projected (nothing parked) and readable with its result's token.
    const fuzzed = answered.flatMap((a) => a.results);
    const accepted = fuzzed.filter((r) => r.status === 'accepted');
    for (const created of accepted.filter((r) => r.type === 'CreateTenant')) tenants.push(created.tenantId!);
    const readable = accepted.filter((r) => MONITOR_CHANGES.has(r.type!) || TENANT_CHANGES.has(r.type!));
    const sample = readable.filter((_, i) => i % Math.ceil(readable.length / MAX_READ_BACKS) === 0);
    const unreadable: string[] = [];
    const tokens = new Map<string, string>();
    const tokenOf = async (tenantId: string) => {
      if (!tokens.has(tenantId)) {
        tokens.set(
          tenantId,
          await new SignJWT({ tenant_id: tenantId })
            .setProtectedHeader({ alg: 'HS256' })
            .setExpirationTime('10m')
            .sign(new TextEncoder().encode(JWT_SECRET)),
        );
      }
      return tokens.get(tenantId)!;
    };
    const queue = [...sample];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let r = queue.shift(); r !== undefined; r = queue.shift()) {
          const path = MONITOR_CHANGES.has(r.type!) ? `/v1/monitors/${r.aggregateId}` : '/v1/tenant';
          const response = await fetch(api.url(path), {
            headers: { authorization: `Bearer ${await tokenOf(r.tenantId!)}`, 'x-consistency-token': r.position! },
          });
          const body = (await response.json()) as { id?: string };
          if (response.status !== 200 || body.id !== r.aggregateId)
            unreadable.push(`${r.type} ${r.commandId}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
        }
      }),
    );
    expect(unreadable).toEqual([]);
    const parked = await pool.query('SELECT event_type, error_code, reason FROM projector.parked_events WHERE topic LIKE $1', [
      `${prefix}%`,
    ]);
    expect(parked.rows).toEqual([]);

    const byCode = new Map<string, number>();
    for (const r of fuzzed)
      byCode.set(
        r.status === 'accepted' ? 'accepted' : r.error!.code,
        (byCode.get(r.status === 'accepted' ? 'accepted' : r.error!.code) ?? 0) + 1,
      );
    const byKind = new Map<string, number>();
    for (const m of messages) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
    process.stdout.write(
      `fuzz: ${messages.length} messages (seeds ${SEEDS.join(', ')}; ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
        `${expectedResults} results (${[...byCode]
          .sort((a, b) => b[1] - a[1])
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}), ` +
        `${expectedDeadLetters} dead letters, ${failedTransactions} failed transactions, ${internalErrors} internal errors, ` +
        `${sample.length} of ${readable.length} accepted monitor/tenant changes read back; ` +
        `processed in ${processed - started} ms, read back in ${Date.now() - processed} ms\n`,
    );
  }, 170_000);
});
