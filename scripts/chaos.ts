/**
 * `npm run chaos -- [--mode cluster|single] [--commands N] [--rate N] [--background-rate 100] [--reads-per-second 50]
 * [--broker-down-seconds 20] [--pause-seconds 20] [--pg-down-seconds 10] [--replica-down-seconds 10] [--keep-topics true]`
 *
 * Breaks the service's dependencies and processes under load and proves that nothing is lost,
 * duplicated or left behind, and how fast it recovers by itself. It starts the built roles (dist/)
 * of this tree on a Postgres primary and replica of its own (5470/5471) and a topic prefix of its
 * own, publishes commands (mostly RecordCheckResult) at a fixed rate and reads through the read
 * API at 50 requests/s, routed like a Kubernetes Service to the instances whose readiness is 200
 * (to all of them when none is).
 *
 * - `cluster` (on `make cluster-up`'s three brokers, replication factor 3, min.insync 2): two
 *   instances of every role; kill -9 of one broker, restarted 20 s later; kill -9 of one command
 *   processor and one projector, restarted; a rolling restart of the read APIs (SIGTERM one,
 *   restart, then the other).
 * - `single` (a single-node broker of its own on 127.0.0.1:29092): one all-in-one instance; kill
 *   -9 and restart of the broker, SIGSTOP of the broker for 20 s then SIGCONT, a restart of the
 *   Postgres primary, the replica stopped and started; one after the other.
 *
 * The faults come one after the other, each once every instance is ready again after the one
 * before. Once the `--commands` are published, `--background-rate` commands a second go on until
 * the last fault is over, so every fault meets load however long the ones before it took.
 *
 * Then: every command has exactly one result, no event twice, versions without gaps, read models
 * equal to a from-scratch rebuild (table checksums), no HTTP 5xx but 503s while a dependency was
 * down, liveness always 200, and per fault the seconds from the dependency's (or instance's)
 * return until every instance's readiness was 200 again. Its last line is one JSON object.
 * Everything it creates (processes, topics, Postgres clusters, a single broker) is removed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { logLevel } from 'kafkajs';
import { createPool } from '@vinsight/database';
import { CompleteSender, createKafkaClient, topicNames } from '@vinsight/kafka';
import { ProjectionLagService, ProjectionRebuild } from '@vinsight/projections';
import { systemClock } from '@vinsight/runtime';
import { audit, ChaosEnvelope, tableChecksums, TopicWatch } from './chaos.audit';
import {
  BrokerControl,
  clusterBrokers,
  createPostgres,
  dropPostgres,
  PG_PRIMARY,
  PG_REPLICA,
  roleUrl,
  singleBroker,
  startPg,
  stopPg,
} from './chaos.infra';
import { freePort } from './local-services';
import { personalDataEnvironment } from '../libs/personal-data/src/testing/test-keys';
import { loadPersonalDataKeys } from '@vinsight/config';

type Mode = 'cluster' | 'single';
type Role = 'command-processor' | 'projector' | 'read-api' | 'all-in-one';

interface Options {
  mode: Mode;
  commands: number;
  rate: number;
  /** Commands a second from the end of the load until the last fault is over. */
  backgroundRate: number;
  readsPerSecond: number;
  brokerDownSeconds: number;
  pauseSeconds: number;
  pgDownSeconds: number;
  replicaDownSeconds: number;
  tenants: number;
  build: string;
  /** Leaves the run's topics on the brokers, to look into a failed audit. */
  keepTopics: boolean;
}

const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const MONITORS_PER_TENANT = 5;
const READY_TIMEOUT_MS = 180_000;
/** Pause between one fault's recovery and the next fault. */
const BETWEEN_FAULTS_MS = 3000;
/**
 * The harness's own load cap, so that it does not starve the service it measures on a small
 * machine: reads still waiting for an answer (a read beyond it is skipped and counted), and how
 * far the publisher catches up after a stall (the backlog of a broker outage goes out at no more
 * than this many times the rate, not in one burst).
 */
const MAX_READS_IN_FLIGHT = 25;
const MAX_CATCH_UP = 2;

function parseOptions(argv: string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`usage: chaos [--mode cluster|single] [--commands N] [--rate N] ... (bad argument ${argv[i]})`);
    flags.set(argv[i].slice(2), argv[i + 1]);
  }
  const mode = (flags.get('mode') ?? 'cluster') as Mode;
  if (mode !== 'cluster' && mode !== 'single') throw new Error('--mode must be cluster or single');
  const number = (name: string, fallback: number) => {
    const value = Number(flags.get(name) ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  return {
    mode,
    commands: number('commands', 20_000),
    // One broker, one instance, four faults in a row: a lower default rate keeps the load going through them all.
    rate: number('rate', mode === 'cluster' ? 1000 : 150),
    backgroundRate: number('background-rate', 100),
    readsPerSecond: number('reads-per-second', 50),
    brokerDownSeconds: number('broker-down-seconds', mode === 'cluster' ? 20 : 5),
    pauseSeconds: number('pause-seconds', 20),
    pgDownSeconds: number('pg-down-seconds', 10),
    replicaDownSeconds: number('replica-down-seconds', 10),
    tenants: number('tenants', 100),
    build: resolve(flags.get('build') ?? join(__dirname, '..')),
    keepTopics: flags.get('keep-topics') === 'true',
  };
}

// ---------------------------------------------------------------- service instances

class Instance {
  child?: ChildProcess;
  /** Set while we stop or kill it on purpose: its probes then do not count. */
  expectedDown = false;
  lastReady = false;
  /**
   * Liveness answered 200 since the last start. Until then a process is starting (or waits for
   * a dependency to boot): no answer is no liveness failure, as a Kubernetes startup probe holds
   * liveness off.
   */
  answeredSinceStart = false;

  constructor(
    readonly role: Role,
    readonly n: number,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly build: string,
    private readonly logFile: string,
  ) {}

  get name(): string {
    return `${this.role}#${this.n}`;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get servesReads(): boolean {
    return this.role === 'read-api' || this.role === 'all-in-one';
  }

  start(): void {
    const out = openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, [join(this.build, 'apps', this.role, 'src', 'main.js')], {
      env: { ...this.env, HTTP_PORT: String(this.port) },
      stdio: ['ignore', out, out],
    });
    this.expectedDown = false;
    this.lastReady = false;
    this.answeredSinceStart = false;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async signal(name: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.expectedDown = true;
    this.lastReady = false;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(name);
    await exited;
  }

  async ready(): Promise<{ status: number; down: string[]; why?: string }> {
    try {
      const response = await fetch(this.url('/health/ready'), { signal: AbortSignal.timeout(3000) });
      const body = (await response.json().catch(() => ({}))) as { error?: unknown; detail?: unknown };
      // Terminus names the failed checks in `error`; a draining process answers a problem instead.
      if (body.error !== null && typeof body.error === 'object') {
        const failed = Object.entries(body.error as Record<string, { message?: unknown }>);
        const why = failed.map(([key, check]) => `${key}: ${String(check?.message ?? JSON.stringify(check))}`).join('; ');
        return { status: response.status, down: failed.map(([key]) => key), why };
      }
      return { status: response.status, down: response.status === 200 ? [] : [String(body.detail ?? body.error ?? response.status)] };
    } catch {
      return { status: 0, down: ['unreachable'] };
    }
  }
}

async function waitReady(instances: Instance[], timeoutMs = READY_TIMEOUT_MS): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = instances.filter((i) => i.alive || !i.expectedDown);
    const states = await Promise.all(
      alive.map((i) => (i.alive ? i.ready() : Promise.resolve({ status: 0, down: ['exited'], why: undefined }))),
    );
    if (states.every((s) => s.status === 200)) return Date.now();
    if (Date.now() > deadline) {
      throw new Error(
        `not ready within ${timeoutMs} ms: ${alive.map((i, k) => `${i.name} ${states[k].status} ${states[k].why ?? states[k].down.join(',')}`).join('; ')}`,
      );
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------- workload

class Workload {
  readonly sent: ChaosEnvelope[] = [];
  readonly tenants: { id: string; monitors: string[] }[];
  readonly apiKey = `vik_${randomBytes(32).toString('base64url')}`;
  private n = 0;

  constructor(tenants: number) {
    this.tenants = Array.from({ length: tenants }, () => ({
      id: randomUUID(),
      monitors: Array.from({ length: MONITORS_PER_TENANT }, () => randomUUID()),
    }));
  }

  setup(): ChaosEnvelope[] {
    const commands: ChaosEnvelope[] = this.tenants.flatMap((t) => [
      {
        commandId: randomUUID(),
        type: 'CreateTenant',
        tenantId: t.id,
        payload: { name: 'Chaos', slug: `c-${randomUUID()}`, plan: 'enterprise' },
      },
      ...t.monitors.map((monitorId) => ({
        commandId: randomUUID(),
        type: 'CreateMonitor',
        tenantId: t.id,
        payload: { monitorId, name: 'Chaos monitor', url: 'https://example.com/health', checkInterval: 30 },
      })),
    ]);
    commands.push({
      commandId: randomUUID(),
      type: 'IssueApiKey',
      tenantId: this.tenants[0].id,
      payload: { apiKeyId: randomUUID(), name: 'chaos', tokenSha256: createHash('sha256').update(this.apiKey, 'utf8').digest('hex') },
    });
    return commands;
  }

  /** 99 % check results over every monitor (one in 17 down), 1 % monitor renames. */
  next(): ChaosEnvelope {
    const i = this.n++;
    const tenant = this.tenants[i % this.tenants.length];
    const monitorId = tenant.monitors[Math.floor(i / this.tenants.length) % MONITORS_PER_TENANT];
    if (i % 100 === 50)
      return { commandId: randomUUID(), type: 'UpdateMonitor', tenantId: tenant.id, payload: { monitorId, name: `m${i}` } };
    const down = i % 17 === 0;
    return {
      commandId: randomUUID(),
      type: 'RecordCheckResult',
      tenantId: tenant.id,
      payload: {
        monitorId,
        checkId: randomUUID(),
        status: down ? 'down' : 'up',
        responseTimeMs: 50 + (i % 400),
        statusCode: down ? 503 : 200,
        checkedAt: new Date().toISOString(),
        region: 'eu-west-1',
      },
    };
  }
}

async function publish(sender: CompleteSender, topic: string, batch: ChaosEnvelope[]): Promise<void> {
  for (;;) {
    try {
      // CompleteSender: a plain send can drop the records of partitions whose leader died meanwhile, and still resolve.
      await sender.send(
        topic,
        batch.map((e) => ({ key: e.tenantId, value: JSON.stringify(e) })),
      );
      return;
    } catch (error) {
      // The broker is away: the same commands again (a command id seen twice is answered once).
      log(`publishing failed, retrying: ${(error as Error).message}`);
      await sleep(500);
    }
  }
}

// ---------------------------------------------------------------- faults

interface FaultRecord {
  name: string;
  startedAt: number;
  /** When the dependency or instance was back (restarted, resumed). */
  backAt?: number;
  readyAt?: number;
  /** Set once every instance was ready again, or given up on (readyAt then stays unset). */
  over: boolean;
  /** Readiness keys reported down by any instance in between. */
  downKeys: Set<string>;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startLoad = loadavg().map((l) => Math.round(l * 100) / 100);
  const id = randomUUID().slice(0, 8);
  const prefix = `chaos.${id}.`;
  const topics = topicNames(prefix);
  const logDir = join(options.build, '..', '.local', 'chaos', id);
  mkdirSync(logDir, { recursive: true });
  log(`${options.mode}: ${options.commands} commands at ${options.rate}/s; service logs in ${logDir}`);

  let brokers: BrokerControl | undefined;
  const instances: Instance[] = [];
  let exitCode = 0;
  // ^C or a kill: the instances and Postgres clusters go too, as at the end of a run.
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.once(name, () => {
      log(`${name}: stopping everything`);
      for (const instance of instances) instance.child?.kill('SIGKILL');
      const brokerClosed = options.mode === 'single' ? (brokers?.close() ?? Promise.resolve()) : Promise.resolve();
      void Promise.race([brokerClosed.catch(() => undefined), sleep(20_000)]).finally(() => {
        dropPostgres();
        process.exit(130);
      });
    });
  }
  try {
    brokers = options.mode === 'cluster' ? clusterBrokers() : await singleBroker();
    log('creating Postgres primary (5470) and replica (5471)');
    await createPostgres();
    const env = (role: Role): Record<string, string> => ({
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      DATABASE_URL: roleUrl('vinsight_owner', PG_PRIMARY.port),
      PROJECTOR_DATABASE_URL: roleUrl('vinsight_projector', PG_PRIMARY.port),
      ...personalDataEnvironment(process.env),
      API_DATABASE_URL: roleUrl('vinsight_api', PG_PRIMARY.port),
      REPLICA_DATABASE_URL: roleUrl('vinsight_api', PG_REPLICA.port),
      KAFKA_BROKERS: brokers!.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: `chaos-${id}`,
      KAFKA_PARTITIONS: '6',
      KAFKA_REPLICATION_FACTOR: String(brokers!.replicationFactor),
      KAFKA_MIN_INSYNC_REPLICAS: String(brokers!.minInsyncReplicas),
      READ_API_RATE_LIMIT_PER_SECOND: '0',
      // A read API leaving keeps answering while the balancer (our readiness poll) takes it out.
      SHUTDOWN_DRAIN_DELAY_MS: role === 'read-api' ? '1500' : '0',
    });
    const layout: [Role, number][] =
      options.mode === 'cluster'
        ? [
            ['command-processor', 1],
            ['command-processor', 2],
            ['projector', 1],
            ['projector', 2],
            ['read-api', 1],
            ['read-api', 2],
          ]
        : [['all-in-one', 1]];
    for (const [role, n] of layout) {
      instances.push(new Instance(role, n, await freePort(), env(role), options.build, join(logDir, `${role}-${n}.log`)));
    }
    // The first processor creates the topics and migrates; the others follow once it is ready.
    instances[0].start();
    await waitReady([instances[0]]);
    for (const instance of instances.slice(1)) instance.start();
    await waitReady(instances);
    log(`${instances.length} instance(s) ready`);

    const kafka = createKafkaClient({ brokers: brokers.brokers, clientId: `chaos-${id}-driver` }, { logLevel: logLevel.NOTHING });
    const watch = await TopicWatch.start(kafka, topics);
    const sender = new CompleteSender(kafka);
    const producer = sender.producer;
    await producer.connect();

    const workload = new Workload(options.tenants);
    const setup = workload.setup();
    await publish(sender, topics.commands, setup);
    workload.sent.push(...setup);
    const readers = instances.filter((i) => i.servesReads);
    for (const deadline = Date.now() + 120_000; ;) {
      const status = await fetch(readers[0].url('/v1/tenant'), { headers: { authorization: `Bearer ${workload.apiKey}` } }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`the API key was not readable within 120 s (last status ${status})`);
      await sleep(250);
    }

    // Probes: readiness and liveness of every instance, 4 times a second.
    const faults: FaultRecord[] = [];
    const activeFaults = () => faults.filter((f) => !f.over);
    let livenessFailures = 0;
    let running = true;
    const probeLoop = (async () => {
      while (running) {
        await Promise.all(
          instances.map(async (instance) => {
            if (!instance.alive) return;
            const ready = await instance.ready();
            instance.lastReady = ready.status === 200;
            if (ready.status !== 200)
              for (const f of activeFaults()) for (const key of ready.down) f.downKeys.add(`${instance.name}:${key}`);
            const live = await fetch(instance.url('/health/live'), { signal: AbortSignal.timeout(3000) }).then(
              (r) => r.status,
              () => 0,
            );
            if (live === 200) instance.answeredSinceStart = true;
            else if (instance.alive && !instance.expectedDown && instance.answeredSinceStart) {
              livenessFailures++;
              log(`liveness of ${instance.name}: ${live}`);
            }
          }),
        );
        await sleep(250);
      }
    })();

    // Reads: like a Service, only to ready instances (to every live one when none is ready).
    const reads = {
      total: 0,
      ok: 0,
      http5xx: 0,
      http503DuringOutage: 0,
      other: {} as Record<string, number>,
      errors: 0,
      inFlight: 0,
      skipped: 0,
    };
    const paths = ['/v1/monitors?limit=20', '/v1/tenant', ...workload.tenants[0].monitors.slice(0, 2).map((m) => `/v1/monitors/${m}`)];
    const readLoop = (async () => {
      for (let k = 0; running; k++) {
        const tickAt = Date.now();
        const ready = readers.filter((i) => i.alive && i.lastReady);
        const pool = ready.length > 0 ? ready : readers.filter((i) => i.alive && !i.expectedDown);
        if (reads.inFlight >= MAX_READS_IN_FLIGHT) reads.skipped++;
        else if (pool.length > 0) {
          const target = pool[k % pool.length];
          reads.inFlight++;
          void (async () => {
            const outageNow = activeFaults().length > 0;
            try {
              const response = await fetch(target.url(paths[k % paths.length]), {
                headers: { authorization: `Bearer ${workload.apiKey}` },
                signal: AbortSignal.timeout(10_000),
              });
              await response.arrayBuffer();
              reads.total++;
              if (response.status === 200) reads.ok++;
              else if (response.status === 503 && (outageNow || activeFaults().length > 0)) reads.http503DuringOutage++;
              else if (response.status >= 500) {
                reads.http5xx++;
                log(`read ${paths[k % paths.length]} on ${target.name}: ${response.status}`);
              } else reads.other[response.status] = (reads.other[response.status] ?? 0) + 1;
            } catch (error) {
              reads.total++;
              reads.errors++;
              log(`read on ${target.name} failed: ${(error as Error).message}`);
            } finally {
              reads.inFlight--;
            }
          })();
        }
        await sleep(Math.max(0, 1000 / options.readsPerSecond - (Date.now() - tickAt)));
      }
    })();

    // The load: the remaining commands at the rate, in 100 ms ticks.
    const loadCommands = Math.max(0, options.commands - setup.length);
    const loadStartedAt = Date.now();
    // At most 500 a request (a backlog could exceed the broker's request size), and after a stall
    // no more than MAX_CATCH_UP times the rate.
    const perTick = (rate: number) => Math.max(1, Math.min(500, Math.ceil((rate / 10) * MAX_CATCH_UP)));
    const loadDone = (async () => {
      let published = 0;
      while (published < loadCommands) {
        const due = Math.min(loadCommands, Math.floor(((Date.now() - loadStartedAt) / 1000) * options.rate));
        if (due > published) {
          const batch = Array.from({ length: Math.min(perTick(options.rate), due - published) }, () => workload.next());
          await publish(sender, topics.commands, batch);
          workload.sent.push(...batch);
          published += batch.length;
        }
        await sleep(100);
      }
      log(`published ${workload.sent.length} commands in ${seconds(Date.now() - loadStartedAt)} s`);
    })();
    // After the load, until the faults are over: the background rate.
    let faultsOver = false;
    let backgroundCommands = 0;
    const backgroundDone = (async () => {
      await loadDone;
      const startedAt = Date.now();
      while (!faultsOver) {
        const due = Math.floor(((Date.now() - startedAt) / 1000) * options.backgroundRate);
        if (due > backgroundCommands) {
          const batch = Array.from({ length: Math.min(perTick(options.backgroundRate), due - backgroundCommands) }, () => workload.next());
          await publish(sender, topics.commands, batch);
          workload.sent.push(...batch);
          backgroundCommands += batch.length;
        }
        await sleep(100);
      }
      if (backgroundCommands > 0) log(`published ${backgroundCommands} background commands in ${seconds(Date.now() - startedAt)} s`);
    })();

    const fault = async (
      name: string,
      breakIt: () => Promise<void> | void,
      repair: () => Promise<void> | void,
      watchOnly: Instance[] = instances,
    ) => {
      const record: FaultRecord = { name, startedAt: Date.now(), over: false, downKeys: new Set() };
      faults.push(record);
      log(`fault ${name}`);
      await breakIt();
      await repair();
      record.backAt = Date.now();
      try {
        record.readyAt = await waitReady(watchOnly);
      } catch (error) {
        // Reported as a null recovery; the audit still runs.
        record.over = true;
        log(`${name}: ${(error as Error).message}`);
        return;
      }
      record.over = true;
      log(
        `${name}: back, all ready ${seconds(record.readyAt - record.backAt)} s later; down meanwhile: ${[...record.downKeys].join(', ') || 'nothing'}`,
      );
    };
    const at = (fraction: number) => sleep(Math.max(0, loadStartedAt + (loadCommands / options.rate) * 1000 * fraction - Date.now()));
    const brokerNode = brokers.nodes[brokers.nodes.length > 1 ? 1 : 0];
    const b = brokers;

    if (options.mode === 'cluster') {
      const byName = (role: Role, n: number) => instances.find((i) => i.role === role && i.n === n)!;
      await at(0.1);
      await fault(
        `broker${brokerNode}Kill9`,
        () => b.kill(brokerNode),
        async () => {
          await sleep(options.brokerDownSeconds * 1000);
          await b.start(brokerNode);
        },
      );
      for (const role of ['command-processor', 'projector'] as const) {
        const victim = byName(role, 1);
        await sleep(BETWEEN_FAULTS_MS);
        await fault(
          `${role}Kill9`,
          () => victim.signal('SIGKILL'),
          async () => {
            await sleep(2000);
            victim.start();
          },
        );
      }
      for (const n of [1, 2]) {
        const victim = byName('read-api', n);
        await sleep(BETWEEN_FAULTS_MS);
        await fault(
          `readApi${n}Roll`,
          () => victim.signal('SIGTERM'),
          () => victim.start(),
        );
      }
    } else {
      await at(0.05);
      await fault(
        'brokerKill9',
        () => b.kill(1),
        async () => {
          await sleep(options.brokerDownSeconds * 1000);
          await b.start(1);
        },
      );
      await sleep(BETWEEN_FAULTS_MS);
      await fault(
        'brokerStop',
        () => b.pause(1),
        async () => {
          await sleep(options.pauseSeconds * 1000);
          b.resume(1);
        },
      );
      await sleep(BETWEEN_FAULTS_MS);
      await fault(
        'postgresPrimaryRestart',
        () => stopPg(PG_PRIMARY.cluster),
        async () => {
          await sleep(options.pgDownSeconds * 1000);
          startPg(PG_PRIMARY.cluster);
        },
      );
      await sleep(BETWEEN_FAULTS_MS);
      await fault(
        'replicaRestart',
        () => stopPg(PG_REPLICA.cluster),
        async () => {
          await sleep(options.replicaDownSeconds * 1000);
          startPg(PG_REPLICA.cluster);
        },
      );
    }
    faultsOver = true;
    await Promise.all([loadDone, backgroundDone]);

    // Every command answered, the projection caught up.
    const sentIds = workload.sent.map((c) => c.commandId);
    // Generous: on a busy machine the instances restarted by the faults take a while to catch up.
    const answeredBy = Date.now() + 600_000;
    while (sentIds.some((c) => !watch.outcomes.has(c)) && Date.now() < answeredBy) await sleep(500);
    log(`results: ${sentIds.filter((c) => watch.outcomes.has(c)).length} of ${sentIds.length} commands answered`);
    const projectorPool = createPool(
      { connectionString: roleUrl('vinsight_projector', PG_PRIMARY.port), max: 2, applicationName: 'chaos' },
      (error) => log(`Postgres: ${error.message}`),
    );
    const lag = new ProjectionLagService(kafka, projectorPool, [topics.events, topics.checkEvents]);
    let projectionLag = -1;
    for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(1000)) {
      projectionLag = (await lag.lag()).reduce((sum, p) => sum + p.lag, 0);
      if (projectionLag === 0) break;
    }
    await lag.close();
    running = false;
    await Promise.all([probeLoop, readLoop]);
    await sleep(500);
    for (const instance of instances) await instance.signal('SIGTERM');
    await producer.disconnect();
    await watch.settle();
    await watch.stop();
    const result = audit(workload.sent, watch, topics);

    const live = await tableChecksums(projectorPool);
    log('rebuilding the read models from scratch');
    const report = await new ProjectionRebuild(projectorPool, kafka, {
      personalData: loadPersonalDataKeys(personalDataEnvironment(process.env)),
      groupPrefix: `chaos-${id}`,
      topics: [topics.events, topics.checkEvents],
      clock: systemClock,
      logger: { log: () => undefined, warn: (m) => log(`rebuild: ${m}`), error: (m) => log(`rebuild: ${m}`) },
    }).run();
    const rebuilt = await tableChecksums(projectorPool);
    await projectorPool.end();
    const differing = Object.keys(live).filter((table) => live[table] !== rebuilt[table]);
    if (differing.length > 0)
      log(`tables differing from the rebuild: ${differing.map((t) => `${t} ${live[t]} vs ${rebuilt[t]}`).join('; ')}`);

    const summary = {
      bench: 'chaos',
      mode: options.mode,
      brokers: brokers.brokers.length,
      replicationFactor: brokers.replicationFactor,
      minInsyncReplicas: brokers.minInsyncReplicas,
      instances: instances.map((i) => i.name),
      rate: options.rate,
      backgroundRate: options.backgroundRate,
      backgroundCommands,
      loadSeconds: seconds(Date.now() - loadStartedAt),
      commands: result.commands,
      accepted: result.accepted,
      rejected: result.rejected,
      missingResults: result.missingResults,
      extraResults: result.extraResults,
      duplicatedEvents: result.duplicatedEvents,
      versionGaps: result.versionGaps,
      eventsOfRejected: result.eventsOfRejected,
      acceptedWithoutEvents: result.acceptedWithoutEvents,
      events: result.events,
      auditRereads: watch.rereads,
      projectionLagAtEnd: projectionLag,
      rebuiltEvents: report.events,
      checksumsEqual: differing.length === 0,
      reads: reads.total,
      readsOk: reads.ok,
      http5xx: reads.http5xx,
      http503DuringOutage: reads.http503DuringOutage,
      readErrors: reads.errors,
      readsSkipped: reads.skipped,
      livenessFailures,
      recoverySeconds: Object.fromEntries(faults.map((f) => [f.name, f.readyAt && f.backAt ? seconds(f.readyAt - f.backAt) : null])),
      outageSeconds: Object.fromEntries(faults.map((f) => [f.name, f.backAt ? seconds(f.backAt - f.startedAt) : null])),
      readinessDown: Object.fromEntries(faults.map((f) => [f.name, [...f.downKeys].sort()])),
      cpus: cpus().length,
      loadAverage: { atStart: startLoad, atEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    };
    if (!options.keepTopics)
      await cleanTopics(kafka, topics).catch((error) => log(`deleting the topics failed: ${(error as Error).message}`));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    exitCode = 1;
  } finally {
    for (const instance of instances) await instance.signal('SIGKILL').catch(() => undefined);
    if (options.mode === 'single') await brokers?.close().catch(() => undefined);
    try {
      startPg(PG_PRIMARY.cluster);
    } catch {
      // dropped below anyway
    }
    dropPostgres();
  }
  process.exit(exitCode);
}

async function cleanTopics(kafka: ReturnType<typeof createKafkaClient>, topics: ReturnType<typeof topicNames>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: Object.values(topics).filter((t) => existing.has(t)) });
  } finally {
    await admin.disconnect();
  }
}

void main();
