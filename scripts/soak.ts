/**
 * `npm run soak -- [--minutes 30] [--seconds N] [--rate 1000] [--tenants 1000] [--monitors 5]
 * [--cooldown-seconds 60] [--build dist] [--heap-snapshots DIR | --heap-snapshot-at-end DIR] [--trace-gc FILE]`: runs the built
 * all-in-one service (from `--build`, default this tree) on a scratch database and topic prefix of
 * its own, publishes a realistic command mix at a fixed rate (mostly RecordCheckResult over every
 * tenant's monitors, some lifecycle commands, some duplicates and rejections) with a light read
 * load, samples the service's RSS and heap every 10 s, and ends with one JSON line: RSS at start
 * and end, the RSS slope over the last 20 minutes of load (the last 2/3 of a shorter run) in MB/min
 * and relative to the mean, and `pass` when the window's growth is within 10 % of its mean.
 * GC counts and time come from the service's own prom-client metrics, the live heap after each
 * full collection from its --trace-gc lines (kept in FILE with --trace-gc). With --heap-snapshots the
 * service writes a heap snapshot (SIGUSR2) before the load and after the cooldown, and the
 * constructors that grew most are printed; with --heap-snapshot-at-end DIR only the second is
 * written (the first would add its own memory to every RSS sample). Everything it creates is
 * removed at the end.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CompleteSender, createKafkaClient, topicNames } from '@vinsight/kafka';
import { loadKafkaSecurity } from '@vinsight/config';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { fullGcs, liveHeapTrend } from './soak.gc';
import { heapGrowth, heapTotalMb, summariseHeapSnapshot } from './soak.heap';
import { SoakApiKey, SoakEnvelope, SoakFleet } from './soak.workload';
import { freePort, startBuiltRole, withDatabase } from './local-services';
import { personalDataEnvironment } from '../libs/personal-data/src/testing/test-keys';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const ADMIN_URL = env('SOAK_ADMIN_DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
const BROKERS = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const SAMPLE_MS = 10_000;
const READS_PER_SECOND = 20;
const API_KEYS = 20;

interface Options {
  loadSeconds: number;
  rate: number;
  tenants: number;
  monitors: number;
  cooldownSeconds: number;
  build: string;
  heapSnapshots?: string;
  /** Only the snapshot after the load: writing one before it would add its own memory to every RSS sample. */
  heapSnapshotAtEndOnly: boolean;
  /** Where the service's --trace-gc lines (and its own log lines) go. */
  traceGc: string;
  /** True when the file is the soak's own, removed at the end. */
  traceGcIsTemporary: boolean;
}

interface Sample {
  /** Seconds since the load started (negative before). */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
/** Set by SIGINT/SIGTERM: the load stops and everything the soak created is removed. */
let stopRequested = false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function parseOptions(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`usage: soak [--minutes N | --seconds N] [--rate N] ... (bad argument ${argv[i]})`);
    flags.set(argv[i].slice(2), argv[i + 1]);
  }
  const number = (name: string, fallback: number) => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  return {
    loadSeconds: flags.has('seconds') ? number('seconds', 0) : number('minutes', 30) * 60,
    rate: number('rate', 1000),
    tenants: number('tenants', 1000),
    monitors: number('monitors', 5),
    cooldownSeconds: flags.has('cooldown-seconds') ? Number(flags.get('cooldown-seconds')) : 60,
    build: resolve(flags.get('build') ?? join(__dirname, '..')),
    heapSnapshots:
      flags.has('heap-snapshots') || flags.has('heap-snapshot-at-end')
        ? resolve((flags.get('heap-snapshots') ?? flags.get('heap-snapshot-at-end'))!)
        : undefined,
    heapSnapshotAtEndOnly: flags.has('heap-snapshot-at-end'),
    traceGc: resolve(flags.get('trace-gc') ?? join(tmpdir(), `soak-gc-${process.pid}.log`)),
    traceGcIsTemporary: !flags.has('trace-gc'),
  };
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

/** A scratch database with the roles' usual rights (deploy/local/postgres/setup.sh); the service migrates it. */
async function createDatabase(name: string): Promise<void> {
  await adminQuery(`CREATE DATABASE ${name} OWNER vinsight_owner`);
  const client = new Client({ connectionString: withDatabase(ADMIN_URL, name) });
  await client.connect();
  try {
    await client.query(`ALTER SCHEMA public OWNER TO vinsight_owner;
      REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      GRANT USAGE ON SCHEMA public TO vinsight_projector, vinsight_api`);
  } finally {
    await client.end();
  }
}

async function startService(options: Options, database: string, prefix: string, port: number): Promise<ChildProcess> {
  const nodeArgs: string[] = [];
  if (options.heapSnapshots) nodeArgs.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapSnapshots}`);
  // One line per collection: cheap, and the live size after each full one is the leak signal.
  nodeArgs.push('--trace-gc');
  const output = openSync(options.traceGc, 'w');
  const env = {
    // The service's own tuning (e.g. the bounds under test) passes through; its database and
    // topics never do: the soak must not touch a developer's data.
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(PROCESSOR|PROJECTOR)_/.test(name) && !name.endsWith('_URL'))),
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
    DATABASE_URL: `postgres://vinsight_owner@127.0.0.1:5432/${database}`,
    PROJECTOR_DATABASE_URL: `postgres://vinsight_projector@127.0.0.1:5432/${database}`,
    ...personalDataEnvironment(process.env),
    API_DATABASE_URL: `postgres://vinsight_api@127.0.0.1:5432/${database}`,
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `soak-${prefix.split('.')[1]}`,
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  };
  // --trace-gc writes to stdout; the service's own log lines (warn and above) go there too.
  return startBuiltRole('all-in-one', env, port, { build: options.build, nodeArgs, stdout: output });
}

function rssMbOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function metricsOf(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

function metric(text: string, name: string, labels = ''): number {
  const escaped = labels.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^${name}\\{[^}]*${escaped}[^}]*\\} (\\S+)$`, 'm').exec(text) ?? new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

async function sample(pid: number, port: number, t: number): Promise<Sample> {
  const text = await metricsOf(port);
  const mb = (bytes: number) => round(bytes / 2 ** 20);
  return {
    t: Math.round(t),
    rssMb: round(rssMbOf(pid)),
    heapUsedMb: mb(metric(text, 'nodejs_heap_size_used_bytes')),
    heapTotalMb: mb(metric(text, 'nodejs_heap_size_total_bytes')),
    externalMb: mb(metric(text, 'nodejs_external_memory_bytes')),
  };
}

/** Counts and seconds of GC by kind (prom-client's nodejs_gc_duration_seconds). */
function gcTotals(text: string): Record<string, { count: number; seconds: number }> {
  const totals: Record<string, { count: number; seconds: number }> = {};
  for (const kind of ['minor', 'major', 'incremental']) {
    // A kind that has not happened yet has no series.
    const count = metric(text, 'nodejs_gc_duration_seconds_count', `kind="${kind}"`);
    totals[kind] = Number.isNaN(count)
      ? { count: 0, seconds: 0 }
      : { count, seconds: metric(text, 'nodejs_gc_duration_seconds_sum', `kind="${kind}"`) };
  }
  return totals;
}

/** Least-squares slope of y over x. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/** Counts results and their latency; keeps only commands still waiting for one. */
class ResultCounter {
  readonly waiting = new Map<string, number>();
  results = 0;
  accepted = 0;
  rejected = 0;
  duplicates = 0;
  worstMs = 0;

  sent(envelopes: SoakEnvelope[], at: number) {
    for (const e of envelopes) if (!this.waiting.has(e.commandId)) this.waiting.set(e.commandId, at);
  }

  received(result: { commandId: string; status: string; duplicate: boolean }, at: number) {
    this.results++;
    if (result.duplicate) this.duplicates++;
    else if (result.status === 'accepted') this.accepted++;
    else this.rejected++;
    const sentAt = this.waiting.get(result.commandId);
    if (sentAt !== undefined) {
      this.worstMs = Math.max(this.worstMs, at - sentAt);
      this.waiting.delete(result.commandId);
    }
  }
}

async function consumeResults(kafka: Kafka, topic: string, prefix: string, counter: ResultCounter) {
  const consumer = kafka.consumer({ groupId: `${prefix}soak-results`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const at = Date.now();
      for (const message of batch.messages) if (message.value) counter.received(JSON.parse(message.value.toString('utf8')), at);
    },
  });
  return consumer;
}

/** Through the service's own sender: a send KafkaJS resolved after dropping some records is completed. */
async function publish(sender: CompleteSender, topic: string, envelopes: SoakEnvelope[]) {
  await sender.send(
    topic,
    envelopes.map((e) => ({ key: e.tenantId, value: JSON.stringify(e) })),
  );
}

/** Waits for every result; false when some are still missing after `timeoutMs`. */
async function waitForResults(counter: ResultCounter, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (counter.waiting.size > 0 && Date.now() < deadline && !stopRequested) await sleep(100);
  return counter.waiting.size === 0;
}

/** Waits until the projector has written the API keys (the read load would count 401s before). */
async function waitForKeys(port: number, keys: SoakApiKey[]) {
  for (let i = 0; i < 600; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/v1/tenant`, {
      headers: { authorization: `Bearer ${keys[keys.length - 1].token}` },
    });
    await response.arrayBuffer();
    if (response.status === 200) return;
    await sleep(100);
  }
  throw new Error('the API keys were not readable within 60 s');
}

/** A steady read load: GET /v1/monitors with the tenants' API keys, round robin. */
function startReads(port: number, keys: SoakApiKey[]) {
  const statuses: Record<string, number> = {};
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const key = keys[i % keys.length];
      try {
        const response = await fetch(`http://127.0.0.1:${port}/v1/monitors?limit=20`, {
          headers: { authorization: `Bearer ${key.token}` },
        });
        await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      } catch {
        statuses.error = (statuses.error ?? 0) + 1;
      }
      await sleep(1000 / READS_PER_SECOND);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return statuses;
  };
}

/** Asks the service for a heap snapshot and waits until the file is complete. */
async function heapSnapshot(child: ChildProcess, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  child.kill('SIGUSR2');
  for (let i = 0; i < 1800; i++) {
    await sleep(1000);
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const path = join(dir, file);
    // V8 writes the strings last and closes with '}'.
    const size = statSync(path).size;
    await sleep(2000);
    if (statSync(path).size === size && size > 0) return path;
  }
  throw new Error('no heap snapshot within 30 minutes');
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const database = `vinsight_soak_${id}`;
  const prefix = `soak.${id}.`;
  const topics = topicNames(prefix);
  const kafka = createKafkaClient({ brokers: BROKERS, ...loadKafkaSecurity(), clientId: `soak-${id}` }, { logLevel: logLevel.NOTHING });
  const fleet = new SoakFleet(options.tenants, options.monitors);
  if (options.heapSnapshots) mkdirSync(options.heapSnapshots, { recursive: true });
  log(
    `soak: ${options.build}, ${options.loadSeconds} s at ${options.rate} commands/s, ${options.tenants} tenants x ${options.monitors} monitors, ` +
      `database ${database}, topics ${prefix}*, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  await createDatabase(database);
  let child: ChildProcess | undefined;
  const sender = new CompleteSender(kafka);
  let consumer: Awaited<ReturnType<typeof consumeResults>> | undefined;
  try {
    const port = await freePort();
    const spawnedAt = Date.now();
    child = await startService(options, database, prefix, port);
    const pid = child.pid!;
    const started = await sample(pid, port, 0);
    log(`service up (pid ${pid}, port ${port}): ${JSON.stringify(started)}`);
    await sender.producer.connect();
    const counter = new ResultCounter();
    consumer = await consumeResults(kafka, topics.commandResults, prefix, counter);

    const setup = fleet.setup();
    const { commands: keyCommands, keys } = fleet.apiKeys(Math.min(API_KEYS, options.tenants));
    for (let i = 0; i < setup.length; i += 500) {
      counter.sent(setup.slice(i, i + 500), Date.now());
      await publish(sender, topics.commands, setup.slice(i, i + 500));
    }
    counter.sent(keyCommands, Date.now());
    await publish(sender, topics.commands, keyCommands);
    if (!(await waitForResults(counter, 300_000))) throw new Error(`${counter.waiting.size} setup commands got no result within 300 s`);
    await waitForKeys(port, keys);
    log(`setup: ${setup.length + keyCommands.length} commands done (${counter.accepted} accepted, ${counter.rejected} rejected)`);

    const snapshots: string[] = [];
    if (options.heapSnapshots && !options.heapSnapshotAtEndOnly) snapshots.push(await heapSnapshot(child, options.heapSnapshots));
    const samples: Sample[] = [];
    const gcBefore = gcTotals(await metricsOf(port));
    const loadStart = Date.now();
    const loadAverageAtStart = loadavg();
    samples.push(await sample(pid, port, 0));
    const stopReads = startReads(port, keys);
    let nextSample = loadStart + SAMPLE_MS;
    let sent = 0;
    let backlogMax = 0;
    /** Results received by each sample: the rate the service really sustained on a shared machine. */
    const resultsAt: { t: number; results: number }[] = [{ t: 0, results: counter.results }];
    const total = options.rate * options.loadSeconds;
    while (sent < total && !stopRequested) {
      const due = Math.min(total, Math.floor(((Date.now() - loadStart) / 1000) * options.rate));
      const batch: SoakEnvelope[] = [];
      while (sent < due) {
        batch.push(fleet.next());
        sent++;
      }
      if (batch.length > 0) {
        counter.sent(batch, Date.now());
        await publish(sender, topics.commands, batch);
      }
      if (Date.now() >= nextSample) {
        nextSample += SAMPLE_MS;
        const s = await sample(pid, port, (Date.now() - loadStart) / 1000);
        samples.push(s);
        resultsAt.push({ t: s.t, results: counter.results });
        backlogMax = Math.max(backlogMax, counter.waiting.size);
        log(
          `${JSON.stringify(s)} results ${counter.results}/${sent}, waiting ${counter.waiting.size}, load average ${loadavg()[0].toFixed(2)}`,
        );
      }
      await sleep(10);
    }
    const loadEnd = Date.now();
    const reads = await stopReads();
    const loadAverageAtEnd = loadavg();
    const endOfLoad = await sample(pid, port, (loadEnd - loadStart) / 1000);
    samples.push(endOfLoad);
    const backlogAtLoadEnd = counter.waiting.size;
    // On a loaded machine the service may lag behind the rate; its backlog drains before the cooldown.
    const drainStarted = Date.now();
    await waitForResults(counter, 600_000);
    const drainSeconds = round((Date.now() - drainStarted) / 1000);
    const gcAfter = gcTotals(await metricsOf(port));
    log(
      `load done: ${sent} commands, ${backlogAtLoadEnd} without a result at the end of the load, drained in ${drainSeconds} s (${counter.waiting.size} left); cooling down ${options.cooldownSeconds} s`,
    );
    const cooldown: Sample[] = [];
    for (let waited = 0; waited < options.cooldownSeconds && !stopRequested; waited += SAMPLE_MS / 1000) {
      await sleep(Math.min(SAMPLE_MS, (options.cooldownSeconds - waited) * 1000));
      cooldown.push(await sample(pid, port, (Date.now() - loadStart) / 1000));
      log(`cooldown ${JSON.stringify(cooldown[cooldown.length - 1])}`);
    }
    if (options.heapSnapshots) snapshots.push(await heapSnapshot(child, options.heapSnapshots));
    if (snapshots.length === 1) log(`heap snapshot after the load: ${snapshots[0]}`);

    const windowSeconds = options.loadSeconds >= 30 * 60 ? 20 * 60 : (options.loadSeconds * 2) / 3;
    const windowStart = options.loadSeconds - windowSeconds;
    const window = samples.filter((s) => s.t >= windowStart);
    const meanRss = window.reduce((sum, s) => sum + s.rssMb, 0) / window.length;
    const rssSlope = slope(window.map((s) => ({ x: s.t / 60, y: s.rssMb })));
    const heapSlope = slope(window.map((s) => ({ x: s.t / 60, y: s.heapUsedMb })));
    const windowResults = resultsAt.filter((r) => r.t >= windowStart);
    const resultsPerSecond =
      windowResults.length < 2
        ? Number.NaN
        : (windowResults.at(-1)!.results - windowResults[0].results) / (windowResults.at(-1)!.t - windowResults[0].t);
    const growthPct = ((rssSlope * windowSeconds) / 60 / meanRss) * 100;
    const liveHeapAfterFullGc = liveHeapTrend(
      fullGcs(readFileSync(options.traceGc, 'utf8')),
      loadStart + windowStart * 1000 - spawnedAt,
      loadEnd - spawnedAt,
    );
    const gc = Object.fromEntries(
      Object.keys(gcAfter).map((kind) => [
        kind,
        { count: gcAfter[kind].count - gcBefore[kind].count, seconds: round(gcAfter[kind].seconds - gcBefore[kind].seconds, 2) },
      ]),
    );
    if (snapshots.length === 2) {
      const [before, after] = await Promise.all(snapshots.map((path) => summariseHeapSnapshot(path)));
      log(`heap snapshots ${snapshots.join(' ')}: self sizes ${heapTotalMb(before)} MB -> ${heapTotalMb(after)} MB; grew most:`);
      for (const row of heapGrowth(before, after)) log(`  ${JSON.stringify(row)}`);
    }
    log(
      JSON.stringify({
        soak: 'memory',
        build: options.build,
        loadSeconds: options.loadSeconds,
        rate: options.rate,
        sent,
        results: counter.results,
        outcomes: { accepted: counter.accepted, rejected: counter.rejected, duplicates: counter.duplicates },
        worstResultMs: counter.worstMs,
        backlogMax,
        backlogAtLoadEnd,
        drainSeconds,
        reads,
        fleet: { tenants: options.tenants, monitors: fleet.monitorCount },
        loadAverage: { start: loadAverageAtStart.map((l) => round(l, 2)), end: loadAverageAtEnd.map((l) => round(l, 2)) },
        rssMb: {
          serviceStarted: started.rssMb,
          loadStart: samples[0].rssMb,
          loadEnd: endOfLoad.rssMb,
          afterCooldown: cooldown.at(-1)?.rssMb ?? null,
          max: Math.max(...samples.map((s) => s.rssMb)),
        },
        heapUsedMb: { loadStart: samples[0].heapUsedMb, loadEnd: endOfLoad.heapUsedMb, afterCooldown: cooldown.at(-1)?.heapUsedMb ?? null },
        window: {
          minutes: round(windowSeconds / 60),
          samples: window.length,
          meanRssMb: round(meanRss),
          rssSlopeMbPerMin: round(rssSlope, 2),
          rssSlopePctOfMeanPerMin: round((rssSlope / meanRss) * 100, 2),
          rssGrowthPctOfMean: round(growthPct, 1),
          heapUsedSlopeMbPerMin: round(heapSlope, 2),
          resultsPerSecond: Math.round(resultsPerSecond),
        },
        gc,
        liveHeapAfterFullGc,
        pass: Math.abs(growthPct) <= 10,
      }),
    );
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    await sender.producer.disconnect().catch(() => undefined);
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child!.once('exit', r)), sleep(40_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (options.traceGcIsTemporary) rmSync(options.traceGc, { force: true });
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((error: Error) =>
      log(`database ${database} not dropped: ${error.message}`),
    );
    const admin = kafka.admin();
    await admin
      .connect()
      .then(async () => {
        const mine = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
        await admin.deleteTopics({ topics: mine });
        const groups = (await admin.listGroups()).groups
          .map((g) => g.groupId)
          .filter((g) => g.startsWith(prefix) || g.startsWith(`soak-${id}`));
        if (groups.length > 0) await admin.deleteGroups(groups);
      })
      .catch((error: Error) => log(`topics ${prefix}* not all deleted: ${error.message}`))
      .finally(() => admin.disconnect());
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stopRequested = true));

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
