/**
 * `npm run bench:projector`: projector throughput from cold start until caught up, against the
 * ceiling of bulk-loading the very same rows with COPY, in one run on the local stack.
 *
 * 1. A scratch database and fresh topics (12 partitions) are created; 500,000 CheckRecorded
 *    events plus a lifecycle mix (tenants, users, keys, monitors, status changes, pauses) are
 *    published in Kafka transactions, as the command processor writes them.
 * 2. The projector starts as its own process from dist/ (as in production); the clock runs from
 *    its spawn until every partition's checkpoint reached the end of its log.
 * 3. The read models are checked (every check once, rollups adding up), optionally rebuilt
 *    (`projections rebuild`, timed), then exported, emptied and loaded again with COPY, table by
 *    table (the best of one stream and two parallel streams for monitor_checks): the ceiling.
 *
 * Before the projector, a bare KafkaJS consumer reads the same topics and JSON.parses every value
 * (bench-projector.bare-consume.ts): the transport's own ceiling, to tell how much of the gap is
 * KafkaJS. CPU seconds per 1000 events (projector, its Postgres backends, bare consumer) compare
 * runs on a busy machine better than rates do.
 *
 * The last line is one JSON object. Environment: BENCH_TENANTS (200), BENCH_MONITORS_PER_TENANT
 * (10), BENCH_CHECKS_PER_MONITOR (250), BENCH_REBUILD (1; 0 skips the rebuild),
 * BENCH_PROJECTOR_LOG (a file for the projector's log), BENCH_PROJECTOR_NODE_ARGS,
 * BENCH_ADMIN_DATABASE_URL (a role that may create databases), DATABASE_URL,
 * PROJECTOR_DATABASE_URL, KAFKA_BROKERS.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Migrator, migrationsDirectory } from '@vinsight/database';
import { createKafkaClient, TopicAdmin, topicNames } from '@vinsight/kafka';
import { loadKafkaSecurity } from '@vinsight/config';
import { copyFrom, copyTo, ProjectionLagService, ProjectionRebuild, renderProgressBar } from '@vinsight/projections';
import { logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import { generateWorkload, publishWorkload, WorkloadOptions } from './bench-projector.workload';
import { freePort, withDatabase } from './local-services';
import { personalDataEnvironment } from '../libs/personal-data/src/testing/test-keys';
import { loadPersonalDataKeys } from '@vinsight/config';

const ROOT = join(__dirname, '..', '..');
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const ADMIN_URL = env('BENCH_ADMIN_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
const OWNER_URL = env('DATABASE_URL', 'postgres://vinsight_owner@127.0.0.1:5432/vinsight');
const PROJECTOR_URL = env('PROJECTOR_DATABASE_URL', 'postgres://vinsight_projector@127.0.0.1:5432/vinsight');
const BROKERS = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const PARTITIONS = 12;
const TABLES = [
  'tenants',
  'users',
  'api_keys',
  'monitors',
  'monitor_checks',
  'monitor_check_rollups_hourly',
  'monitor_check_rollups_daily',
  'incidents',
  'audit_events',
];

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** User + system CPU time of a process so far (Linux /proc), in seconds. */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU time so far of the Postgres backends the projector holds open (its pool names them vinsight-*). */
async function backendCpuSeconds(pool: Pool, database: string): Promise<number> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'vinsight-%'`,
    [database],
  );
  return rows.reduce((sum, r) => sum + (cpuSecondsOf(r.pid) || 0), 0);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function startProjector(database: string, prefix: string, clientId: string, port: number): ChildProcess {
  const logFile = process.env.BENCH_PROJECTOR_LOG;
  const output = logFile ? openSync(logFile, 'a') : 'ignore';
  const nodeArgs = (process.env.BENCH_PROJECTOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist', 'apps', 'projector', 'src', 'main.js')], {
    cwd: ROOT,
    stdio: ['ignore', output, output],
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      MIGRATE_ON_START: 'false',
      DATABASE_URL: withDatabase(OWNER_URL, database),
      PROJECTOR_DATABASE_URL: withDatabase(PROJECTOR_URL, database),
      ...personalDataEnvironment(process.env),
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PARTITIONS: String(PARTITIONS),
      KAFKA_CLIENT_ID: clientId,
    },
  });
}

async function waitForNoLag(lag: ProjectionLagService, total: number, child: ChildProcess, started: number): Promise<void> {
  let exited: number | null | undefined;
  let first = false;
  child.once('exit', (code) => (exited = code));
  let lastPrint = 0;
  for (;;) {
    if (exited !== undefined) throw new Error(`the projector exited with ${exited} before catching up`);
    const partitions = await lag.lag().catch(() => null);
    if (partitions) {
      const behind = partitions.reduce((sum, p) => sum + p.lag, 0);
      if (!first && behind < total) {
        first = true;
        log(`  first batch committed ${((performance.now() - started) / 1000).toFixed(2)} s after the projector was spawned`);
      }
      if (behind === 0 && partitions.length === 2 * PARTITIONS) return;
      if (Date.now() - lastPrint > 2000) {
        lastPrint = Date.now();
        log(`  ... ${total - behind}/${total} offsets applied`);
      }
    }
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const database = `vinsight_bench_${id}`;
  const prefix = `bench.${id}.`;
  const topics = topicNames(prefix);
  const kafka = createKafkaClient(
    { brokers: BROKERS, ...loadKafkaSecurity(), clientId: `bench-projector-${id}` },
    { logLevel: logLevel.NOTHING },
  );
  const workload: WorkloadOptions = {
    tenants: Number(env('BENCH_TENANTS', '200')),
    monitorsPerTenant: Number(env('BENCH_MONITORS_PER_TENANT', '10')),
    checksPerMonitor: Number(env('BENCH_CHECKS_PER_MONITOR', '250')),
    end: new Date(),
    namespace: `bench${id}`,
    seed: 2026,
  };

  await adminQuery(`CREATE DATABASE ${database} OWNER vinsight_owner`);
  let pool: Pool | undefined;
  let ownerPool: Pool | undefined;
  let child: ChildProcess | undefined;
  const lag = () => new ProjectionLagService(kafka, pool!, [topics.events, topics.checkEvents]);
  let lagService: ProjectionLagService | undefined;
  try {
    await new Migrator(withDatabase(OWNER_URL, database), migrationsDirectory()).up();
    pool = new Pool({ connectionString: withDatabase(PROJECTOR_URL, database), max: 4 });
    ownerPool = new Pool({ connectionString: withDatabase(OWNER_URL, database), max: 2 });
    // DROP DATABASE ... WITH (FORCE) at the end ends any connection still open; an idle one then
    // emits an error, which without a listener ended the run after its JSON line.
    for (const p of [pool, ownerPool]) p.on('error', () => undefined);
    const admin = new TopicAdmin(kafka, topics);
    await admin.ensureTopics({ partitions: PARTITIONS, replicationFactor: 1 });
    await admin.disconnect();

    log(
      `publishing the workload to ${prefix}* (${workload.tenants} tenants x ${workload.monitorsPerTenant} monitors x ${workload.checksPerMonitor} checks)...`,
    );
    let checks = 0;
    let events = 0;
    let reported = 0;
    const published = await publishWorkload(
      kafka,
      topics,
      (function* () {
        for (const record of generateWorkload(workload)) {
          if (record.role === 'checkEvents') checks += 1;
          else events += 1;
          yield record;
        }
      })(),
      {
        transactionalId: `bench-projector-${id}`,
        perTransaction: 10000,
        onProgress: (n) => {
          if (Math.floor(n / 100000) > Math.floor(reported / 100000)) log(`  published ${n}`);
          reported = n;
        },
      },
    );
    log(`published ${published} events: ${checks} CheckRecorded on check-events, ${events} lifecycle events on events`);

    lagService = lag();
    const offsets = await lagService.topicOffsets();
    const totalOffsets = [...offsets.values()].flat().reduce((sum, p) => sum + p.high - p.low, 0);

    const bare = await measureBareConsume([topics.events, topics.checkEvents], published, `bench-bare-${id}`);
    const barePerSec = published / bare.wallSeconds;
    log(
      `bare KafkaJS consume + JSON.parse (the transport's ceiling): ${published} records in ${bare.wallSeconds.toFixed(2)} s from spawn ` +
        `(${bare.consumeSeconds.toFixed(2)} s from connect) = ${Math.round(barePerSec)} events/s; CPU ${bare.cpuSeconds.toFixed(2)} s; ` +
        `machine load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );

    const port = await freePort();
    const started = performance.now();
    child = startProjector(database, prefix, `bench-projector-${id}`, port);
    await waitForNoLag(lagService, totalOffsets, child, started);
    const seconds = (performance.now() - started) / 1000;
    const eventsPerSec = published / seconds;
    log(
      `projector: ${published} events from cold start to caught up in ${seconds.toFixed(2)} s = ${Math.round(eventsPerSec)} events/s (${Math.round(checks / seconds)} check events/s)`,
    );
    const projectorCpuSeconds = cpuSecondsOf(child.pid!);
    const postgresCpuSeconds = await backendCpuSeconds(pool, database);
    log(
      `projector process CPU: ${projectorCpuSeconds.toFixed(2)} s, its Postgres backends ${postgresCpuSeconds.toFixed(2)} s; ` +
        `machine load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    log(
      `projector / bare consume: ${(eventsPerSec / barePerSec).toFixed(3)} of the transport's rate; ` +
        `CPU per 1000 events: projector ${((projectorCpuSeconds * 1000) / published).toFixed(3)} s, bare consume ${((bare.cpuSeconds * 1000) / published).toFixed(3)} s`,
    );
    child.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;

    const verify = await pool.query<{ checks: string; hourly: string; daily: string; parked: string }>(
      `SELECT (SELECT count(*) FROM monitor_checks) AS checks,
              (SELECT coalesce(sum(total_checks), 0) FROM monitor_check_rollups_hourly) AS hourly,
              (SELECT coalesce(sum(total_checks), 0) FROM monitor_check_rollups_daily) AS daily,
              (SELECT count(*) FROM projector.parked_events) AS parked`,
    );
    const v = verify.rows[0];
    log(`verified: ${v.checks} checks, hourly rollups ${v.hourly}, daily rollups ${v.daily}, parked ${v.parked}`);
    if (Number(v.checks) !== checks || Number(v.hourly) !== checks || Number(v.daily) !== checks || Number(v.parked) !== 0) {
      throw new Error('the read models do not hold every check exactly once');
    }

    if (env('BENCH_REBUILD', '1') !== '0') {
      const rebuild = new ProjectionRebuild(pool, kafka, {
        personalData: loadPersonalDataKeys(personalDataEnvironment(process.env)),
        groupPrefix: `bench-projector-${id}`,
        topics: [topics.events, topics.checkEvents],
        clock: { now: () => new Date() },
        logger: { log: () => undefined, warn: (m) => log(`  rebuild: ${m}`), error: (m) => log(`  rebuild: ${m}`) },
        onProgress: (p) => (p.phase !== 'replaying' || p.elapsedSeconds % 5 < 1 ? log(`  ${renderProgressBar(p)}`) : undefined),
      });
      const report = await rebuild.run();
      log(
        `rebuild: ${report.events} offsets replayed and switched in ${(report.durationMs / 1000).toFixed(2)} s (${Math.round(report.eventsPerSecond)} events/s)`,
      );
    }

    const ceiling = await measureCeiling(pool, ownerPool);
    const ceilingPerSec = published / ceiling.seconds;
    log(
      `ceiling: COPY of the same ${ceiling.rows} rows into the same tables in ${ceiling.seconds.toFixed(2)} s (${ceiling.detail}) = ${Math.round(ceilingPerSec)} events/s`,
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'projector',
        loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
        bareConsumePerSec: Math.round(barePerSec),
        bareRatio: Number((barePerSec / ceilingPerSec).toFixed(3)),
        projectorVsBare: Number((eventsPerSec / barePerSec).toFixed(3)),
        cpuPerKEvents: {
          projector: Number(((projectorCpuSeconds * 1000) / published).toFixed(3)),
          projectorPostgres: Number(((postgresCpuSeconds * 1000) / published).toFixed(3)),
          bareConsume: Number(((bare.cpuSeconds * 1000) / published).toFixed(3)),
        },
        eventsPerSec: Math.round(eventsPerSec),
        ceilingPerSec: Math.round(ceilingPerSec),
        ratio: Number((eventsPerSec / ceilingPerSec).toFixed(3)),
      })}\n`,
    );
  } finally {
    if (child) child.kill('SIGKILL');
    await lagService?.close();
    await pool?.end();
    await ownerPool?.end();
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: Object.values(topics) }))
      .catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A bare KafkaJS consumer (bench-projector.bare-consume.ts) reading the same topics from the
 * start with the projector's fetch settings and JSON.parsing every value: what the transport
 * alone costs. Timed like the projector, from the spawn of its process.
 */
async function measureBareConsume(
  topicList: string[],
  expected: number,
  groupId: string,
): Promise<{ wallSeconds: number; consumeSeconds: number; cpuSeconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'bench-projector.bare-consume.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: BROKERS.join(','),
      BARE_TOPICS: topicList.join(','),
      BARE_EXPECTED: String(expected),
      BARE_GROUP_ID: groupId,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  // a consumer that never reaches the end must not hold the benchmark forever
  const timeout = setTimeout(() => child.kill('SIGKILL'), 600_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timeout);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`the bare consumer exited with ${code}`);
  const report = JSON.parse(output.trim().split('\n').pop()!) as { records: number; seconds: number; cpuSeconds: number };
  if (report.records < expected) throw new Error(`the bare consumer read ${report.records} of ${expected} records`);
  return { wallSeconds, consumeSeconds: report.seconds, cpuSeconds: report.cpuSeconds };
}

/**
 * The rows the projector wrote, exported and loaded back with COPY into the emptied tables (the
 * projector's role: COPY FROM is refused under row level security without BYPASSRLS). Only the
 * loading is timed; monitor_checks is loaded both as one stream and as two parallel streams (two
 * cores), and the faster counts. The checksums after loading must equal the projector's.
 */
async function measureCeiling(pool: Pool, ownerPool: Pool): Promise<{ seconds: number; rows: number; detail: string }> {
  const exported = new Map<string, Buffer>();
  const client = await pool.connect();
  try {
    for (const table of TABLES) exported.set(table, await copyTo(client, `COPY (SELECT * FROM ${table}) TO STDOUT`));
  } finally {
    client.release();
  }
  const checksum = async (): Promise<string> => {
    const sums: string[] = [];
    for (const table of TABLES) {
      const { rows } = await pool.query<{ md5: string }>(
        `SELECT md5(coalesce(string_agg(t::text, '' ORDER BY t::text), '')) AS md5 FROM ${table} t`,
      );
      sums.push(`${table}:${rows[0].md5}`);
    }
    return sums.join(',');
  };
  const before = await checksum();
  const rows = [...exported.values()].reduce((sum, data) => sum + countLines(data), 0);

  const load = async (parallelChecks: number): Promise<number> => {
    await ownerPool.query(`TRUNCATE ${TABLES.join(', ')}`);
    await ownerPool.query('CHECKPOINT').catch(() => undefined);
    let elapsed = 0;
    for (const table of TABLES) {
      const parts = table === 'monitor_checks' ? splitLines(exported.get(table)!, parallelChecks) : [exported.get(table)!];
      const started = performance.now();
      await Promise.all(
        parts.map(async (part) => {
          const c = await pool.connect();
          try {
            await copyFrom(c, `COPY ${table} FROM STDIN`, part);
          } finally {
            c.release();
          }
        }),
      );
      elapsed += performance.now() - started;
    }
    if ((await checksum()) !== before) throw new Error('the COPY ceiling did not load the same rows');
    return elapsed / 1000;
  };
  const single = await load(1);
  const parallel = await load(2);
  return { seconds: Math.min(single, parallel), rows, detail: `one stream ${single.toFixed(2)} s, two streams ${parallel.toFixed(2)} s` };
}

function countLines(data: Buffer): number {
  let lines = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines += 1;
  return lines;
}

function splitLines(data: Buffer, parts: number): Buffer[] {
  if (parts <= 1) return [data];
  const result: Buffer[] = [];
  let start = 0;
  for (let p = 1; p < parts; p += 1) {
    const cut = data.indexOf(10, Math.floor((data.length * p) / parts));
    result.push(data.subarray(start, cut + 1));
    start = cut + 1;
  }
  result.push(data.subarray(start));
  return result;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:projector failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
