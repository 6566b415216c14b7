/**
 * The floor of `npm run bench:e2e -- --floor`: the least any implementation of this pipeline does
 * for a check, in three processes like the service's roles, so the same client at the same rate
 * measures what the machine itself allows. `command-processor`: the exactly-once loop of
 * bench-commands.txn-ceiling.ts (one event and one accepted result per command, input offsets in
 * the same transaction, the processor's cadence), the result's position being the command's own
 * partition and offset. `projector`: a read_committed consumer of check-events writing each
 * fetched batch's check rows and its partition's position in one statement (one round trip, one
 * Postgres transaction), notifying the position. `read-api`: bare Fastify and pg answering
 * GET /v1/monitors/:id/checks once the position in X-Consistency-Token is projected (woken by
 * the notifications), with one PREPAREd SELECT. No validation, no decisions, no tenant
 * transaction, no authentication, no rollups, no monitor rows: every one of those is work the
 * service does on top.
 *
 * Usage: `node dist/scripts/bench-e2e.floor.js command-processor|projector|read-api`; environment as the
 * service's (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, KAFKA_PARTITIONS, DATABASE_URL, HTTP_PORT). Each
 * answers GET /health/startup with 200 once it serves.
 */
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { Client, Pool } from 'pg';
// @vinsight/kafka before KafkaJS, as in the service: it replaces KafkaJS's partition grouping.
import { createKafkaClient, topicNames } from '@vinsight/kafka';
import { logLevel } from 'kafkajs';
import { runExactlyOnceLoop, stderrKafkaLogger } from './bench-exactly-once-loop';

const ROLE = process.argv[2];
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PREFIX = process.env.KAFKA_TOPIC_PREFIX ?? 'bench.floor.';
const PARTITIONS = Number(process.env.KAFKA_PARTITIONS ?? 12);
const PORT = Number(process.env.HTTP_PORT);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/vinsight_bench_e2e';
const MAX_PER_TRANSACTION = 1000;
/** The service's default transaction linger, and its variable (so BENCH_E2E_ENV sets both alike). */
const LINGER_MS = Number(process.env.PROCESSOR_TRANSACTION_LINGER_MS ?? 50);
const CHANNEL = 'bench_floor_positions';
const topics = topicNames(PREFIX);
const kafka = () =>
  createKafkaClient({ brokers: BROKERS, clientId: `${PREFIX}floor-${ROLE}` }, { logLevel: logLevel.WARN, logger: stderrKafkaLogger });

/** The floor's tables, named after the run's topic prefix so runs never meet. */
const tableSuffix = PREFIX.replace(/[^a-z0-9]/gi, '_').toLowerCase();
const CHECKS = `bench_floor_checks_${tableSuffix}`;
const POSITIONS = `bench_floor_positions_${tableSuffix}`;

interface CheckCommand {
  commandId: string;
  tenantId: string;
  type: string;
  payload: { monitorId?: string; checkId?: string; status?: string; responseTimeMs?: number; checkedAt?: string };
}

/** A process with no HTTP of its own answers the startup probe here: 503, then 200 once the answer is called. */
function startupProbe(): () => void {
  let up = false;
  createServer((request, response) => {
    response.statusCode = up ? 200 : 503;
    response.end();
  }).listen(PORT, '127.0.0.1');
  return () => (up = true);
}

async function processor(): Promise<void> {
  const client = kafka();
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({
    // Every topic of the prefix, as the service creates them: bench:e2e deletes them all afterwards.
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS })),
  });
  await admin.disconnect();
  const stop = await runExactlyOnceLoop({
    kafka: client,
    groupId: `${PREFIX}floor-processor`,
    transactionalIdPrefix: `${PREFIX}floor-`,
    inputTopic: topics.commands,
    partitions: PARTITIONS,
    maxPerTransaction: MAX_PER_TRANSACTION,
    lingerMs: LINGER_MS,
    maxWaitTimeInMs: 500,
    onJoined: startupProbe(),
    output: (partition, messages) => {
      const processedAt = new Date().toISOString();
      const checks = [];
      const events = [];
      const results = [];
      for (const message of messages) {
        const command = JSON.parse(message.value!.toString('utf8')) as CheckCommand;
        const position = `${partition}:${message.offset}`;
        if (command.type === 'RecordCheckResult') {
          checks.push({ key: message.key, partition, value: JSON.stringify({ ...command.payload, position: Number(message.offset) }) });
        } else events.push({ key: message.key, partition, value: message.value });
        results.push({
          key: message.key,
          partition,
          value: JSON.stringify({ commandId: command.commandId, tenantId: command.tenantId, status: 'accepted', position, processedAt }),
        });
      }
      return [
        { topic: topics.checkEvents, messages: checks },
        { topic: topics.events, messages: events },
        { topic: topics.commandResults, messages: results },
      ];
    },
  });
  onStop(stop);
}

async function projector(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 3 });
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${CHECKS} (monitor_id uuid, checked_at timestamptz, id uuid, status text, response_time_ms int,
       PRIMARY KEY (monitor_id, checked_at, id));
     CREATE TABLE IF NOT EXISTS ${POSITIONS} (partition int PRIMARY KEY, position bigint NOT NULL)`,
  );
  // One statement, so one round trip and one transaction: the batch's rows, the partition's
  // position, and the notification that wakes the reads waiting for it.
  const apply = {
    name: 'apply',
    text: `WITH checks AS (
             INSERT INTO ${CHECKS} SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::int[])
             ON CONFLICT DO NOTHING),
           moved AS (
             INSERT INTO ${POSITIONS} VALUES ($6, $7) ON CONFLICT (partition) DO UPDATE SET position = excluded.position)
           SELECT pg_notify('${CHANNEL}', $6 || ':' || $7)`,
  };
  const consumer = kafka().consumer({
    groupId: `${PREFIX}floor-projector`,
    readUncommitted: false,
    maxBytesPerPartition: 256 * 1024,
    maxWaitTimeInMs: 100,
  });
  consumer.on(consumer.events.GROUP_JOIN, startupProbe());
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.checkEvents], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      if (batch.messages.length === 0) return;
      const columns: [string[], string[], string[], string[], number[]] = [[], [], [], [], []];
      let position = 0;
      for (const message of batch.messages) {
        const check = JSON.parse(message.value!.toString('utf8')) as Required<CheckCommand['payload']> & { position: number };
        columns[0].push(check.monitorId);
        columns[1].push(check.checkedAt);
        columns[2].push(check.checkId);
        columns[3].push(check.status);
        columns[4].push(check.responseTimeMs);
        position = check.position;
      }
      await pool.query({ ...apply, values: [...columns, batch.partition, position] });
    },
  });
  // The read API stops first (bench-e2e stops the roles in reverse), so the tables go with the projector.
  onStop(() =>
    consumer
      .disconnect()
      .then(() => pool.query(`DROP TABLE IF EXISTS ${CHECKS}, ${POSITIONS}`))
      .finally(() => pool.end()),
  );
}

async function readApi(): Promise<void> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 10 });
  const positions = new Map<number, number>();
  const waiters = new Map<number, { position: number; resolve: () => void }[]>();
  const advance = (partition: number, position: number) => {
    if ((positions.get(partition) ?? -1) >= position) return;
    positions.set(partition, position);
    const waiting = waiters.get(partition) ?? [];
    const still = waiting.filter((w) => (w.position <= position ? (w.resolve(), false) : true));
    waiters.set(partition, still);
  };
  const listener = new Client({ connectionString: DATABASE_URL });
  await listener.connect();
  listener.on('notification', ({ payload }) => {
    const [partition, position] = payload!.split(':').map(Number);
    advance(partition, position);
  });
  await listener.query(`LISTEN ${CHANNEL}`);
  for (;;) {
    const stored = await pool
      .query<{ partition: number; position: string }>(`SELECT partition, position FROM ${POSITIONS}`)
      .catch(() => null);
    if (stored) {
      for (const row of stored.rows) advance(row.partition, Number(row.position));
      break;
    }
    await sleep(100); // the projector has not created its tables yet
  }
  const app = Fastify();
  app.get('/health/startup', async () => ({ status: 'ok' }));
  app.get<{ Params: { id: string }; Querystring: { limit?: string; to?: string } }>('/v1/monitors/:id/checks', async (request) => {
    const [partition, position] = String(request.headers['x-consistency-token']).split(':').map(Number);
    if ((positions.get(partition) ?? -1) < position) {
      await new Promise<void>((resolve) => {
        const list = waiters.get(partition) ?? [];
        list.push({ position, resolve });
        waiters.set(partition, list);
      });
    }
    const { rows } = await pool.query({
      name: 'checks',
      text: `SELECT id, checked_at AS "checkedAt", status, response_time_ms AS "responseTimeMs" FROM ${CHECKS}
             WHERE monitor_id = $1 AND checked_at < $2 ORDER BY checked_at DESC, id DESC LIMIT $3`,
      values: [request.params.id, request.query.to ?? 'infinity', Number(request.query.limit ?? 20)],
    });
    return { data: rows };
  });
  await app.listen({ port: PORT, host: '127.0.0.1' });
  onStop(() => app.close().then(() => Promise.all([pool.end(), listener.end()])));
}

function onStop(stop: () => Promise<unknown>): void {
  const exit = () => void stop().finally(() => process.exit(0));
  process.once('SIGTERM', exit);
  process.once('SIGINT', exit);
}

const roles: Record<string, () => Promise<void>> = { 'command-processor': processor, projector, 'read-api': readApi };
if (!roles[ROLE]) {
  process.stderr.write(`usage: bench-e2e.floor.js ${Object.keys(roles).join('|')}\n`);
  process.exit(2);
}
roles[ROLE]().catch((error: unknown) => {
  process.stderr.write(`floor ${ROLE} failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
