import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/**
 * The dependencies the chaos run breaks on purpose, all of its own: Kafka brokers (the three of
 * `make cluster-up`, or one single-node broker of its own on the cluster's first ports) and a
 * Postgres primary with a streaming replica (Debian clusters on 5470/5471). The machine's shared
 * Postgres (5432/5433) and broker (9092) are never touched.
 */
const ROOT = join(__dirname, '..', '..');
const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BrokerControl {
  /** Bootstrap list for clients. */
  readonly brokers: string[];
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  /** Broker ids that `kill`, `start`, `pause`, `resume` take. */
  readonly nodes: number[];
  pid(node: number): number | undefined;
  /** kill -9. */
  kill(node: number): void;
  /** Starts a stopped node and resolves once a Kafka admin can list topics through it. */
  start(node: number): Promise<void>;
  pause(node: number): void;
  resume(node: number): void;
  /** Stops what this object started (nothing for a cluster someone else started). */
  close(): Promise<void>;
}

// ---------------------------------------------------------------- the cluster of make cluster-up

export const CLUSTER_BROKERS = ['127.0.0.1:29092', '127.0.0.1:29093', '127.0.0.1:29094'];
const CLUSTER_HOME = join(ROOT, '.local', 'kafka-cluster');

function livePid(pidFile: string, mustContain: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(mustContain) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The three brokers `make cluster-up` (deploy/local/kafka-cluster/start.sh) started; they must run. */
export function clusterBrokers(): BrokerControl {
  const pidFile = (node: number) => join(CLUSTER_HOME, String(node), 'kafka.pid');
  const config = (node: number) => join(CLUSTER_HOME, String(node), 'server.properties');
  const control: BrokerControl = {
    brokers: CLUSTER_BROKERS,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    nodes: [1, 2, 3],
    pid: (node) => livePid(pidFile(node), config(node)),
    kill: (node) => signal(control.pid(node), 'SIGKILL', `broker ${node}`),
    start: async (node) => {
      await execFileAsync(join(ROOT, 'deploy', 'local', 'kafka-cluster', 'start.sh'), [String(node)], { cwd: ROOT });
    },
    pause: (node) => signal(control.pid(node), 'SIGSTOP', `broker ${node}`),
    resume: (node) => signal(control.pid(node), 'SIGCONT', `broker ${node}`),
    close: async () => undefined,
  };
  const missing = control.nodes.filter((node) => control.pid(node) === undefined);
  if (missing.length > 0) throw new Error(`cluster broker(s) ${missing.join(', ')} not running: start them with make cluster-up`);
  return control;
}

function signal(pid: number | undefined, name: NodeJS.Signals, what: string): void {
  if (pid === undefined) throw new Error(`${what} is not running`);
  process.kill(pid, name);
}

// ---------------------------------------------------------------- a single broker of our own

const SINGLE_HOME = join(ROOT, '.local', 'kafka-chaos');
const SINGLE_BROKER = '127.0.0.1:29092';
const SINGLE_CONTROLLER = '127.0.0.1:29192';

/** A single-node KRaft broker of our own (as the local stack's), on the cluster's first ports. */
export async function singleBroker(): Promise<BrokerControl> {
  const libs = join(ROOT, '.local', 'kafka', 'libs');
  if (!existsSync(libs)) throw new Error(`Kafka jars missing in ${libs}: run deploy/local/kafka/fetch.sh`);
  const data = join(SINGLE_HOME, 'data');
  const config = join(SINGLE_HOME, 'server.properties');
  const pidFile = join(SINGLE_HOME, 'kafka.pid');
  rmSync(SINGLE_HOME, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `listeners=PLAINTEXT://${SINGLE_BROKER},CONTROLLER://${SINGLE_CONTROLLER}`,
      `advertised.listeners=PLAINTEXT://${SINGLE_BROKER},CONTROLLER://${SINGLE_CONTROLLER}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      `controller.quorum.bootstrap.servers=${SINGLE_CONTROLLER}`,
      `log.dirs=${data}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.num.partitions=3',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'share.coordinator.state.topic.num.partitions=1',
      'default.replication.factor=1',
      'min.insync.replicas=1',
      'auto.create.topics.enable=false',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  writeFileSync(join(SINGLE_HOME, 'log4j2.properties'), ['status = warn', 'rootLogger.level = warn', ''].join('\n'));
  const java = (args: string[], out: number | 'ignore' = 'ignore', detached = false): ChildProcess =>
    spawn('java', args, { detached, stdio: ['ignore', out, out] });
  const formatLog = join(SINGLE_HOME, 'format.log');
  const format = java(
    [
      '-cp',
      `${libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '--ignore-formatted',
      '--cluster-id',
      // Never a leading '-', as Kafka's own ids: StorageTool would read it as an option (1 run in 64 failed).
      randomBytes(16).toString('base64url').replace(/^-/, 'A'),
      '--config',
      config,
    ],
    openSync(formatLog, 'w'),
  );
  const code = await new Promise<number | null>((resolve) => format.once('exit', resolve));
  if (code !== 0)
    throw new Error(
      `formatting the chaos broker's storage failed (${code}): ${readFileSync(formatLog, 'utf8').trim().split('\n').slice(-3).join(' | ')}`,
    );
  const pid = () => livePid(pidFile, config);
  const control: BrokerControl = {
    brokers: [SINGLE_BROKER],
    replicationFactor: 1,
    minInsyncReplicas: 1,
    nodes: [1],
    pid,
    kill: () => signal(pid(), 'SIGKILL', 'broker'),
    start: async () => {
      if (pid() === undefined) {
        if (await portOpen(SINGLE_BROKER))
          throw new Error(`${SINGLE_BROKER} is in use by a process the chaos run did not start (make cluster-down?)`);
        const log = openSync(join(SINGLE_HOME, 'kafka.log'), 'a');
        const broker = java(
          [
            '-Xmx320m',
            '-Xms128m',
            '-XX:+UseG1GC',
            '-XX:+ExitOnOutOfMemoryError',
            '-Djava.awt.headless=true',
            `-Dlog4j2.configurationFile=${join(SINGLE_HOME, 'log4j2.properties')}`,
            '-cp',
            `${libs}/*`,
            'kafka.Kafka',
            config,
          ],
          log,
          true,
        );
        broker.unref();
        writeFileSync(pidFile, String(broker.pid));
      }
      await waitForBroker(SINGLE_BROKER, 120_000, () => pid() !== undefined);
    },
    pause: () => signal(pid(), 'SIGSTOP', 'broker'),
    resume: () => signal(pid(), 'SIGCONT', 'broker'),
    close: async () => {
      const running = pid();
      if (running !== undefined) {
        process.kill(running, 'SIGCONT');
        process.kill(running, 'SIGKILL');
        while (pid() !== undefined) await sleep(100);
      }
      rmSync(SINGLE_HOME, { recursive: true, force: true });
    },
  };
  await control.start(1);
  return control;
}

async function portOpen(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitForBroker(broker: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const kafka = new Kafka({
    clientId: 'chaos-wait',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`broker ${broker} not ready within ${timeoutMs} ms: ${(error as Error).message}`);
      if (!alive()) throw new Error(`broker ${broker} exited; see ${SINGLE_HOME}/kafka.log`);
      await sleep(300);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------- Postgres of our own

const PG_VERSION = '15';
export const PG_PRIMARY = { cluster: 'chaos', port: 5470 };
export const PG_REPLICA = { cluster: 'chaos_replica', port: 5471 };
export const PG_DATABASE = 'vinsight_chaos';
const SLOT = 'chaos_replica';

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
}

function asPostgres(command: string, args: string[]): string {
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
}

function clusterStatus(cluster: string): 'online' | 'down' | 'missing' {
  const line = run('pg_lsclusters', ['--no-header'])
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === PG_VERSION && f[1] === cluster);
  if (!line) return 'missing';
  return line[3].startsWith('online') ? 'online' : 'down';
}

function dropPgCluster(cluster: string): void {
  if (clusterStatus(cluster) !== 'missing') run('pg_dropcluster', ['--stop', PG_VERSION, cluster]);
  // pg_dropcluster leaves our conf.d file, which would make the next pg_createcluster refuse.
  run('rm', ['-rf', `/etc/postgresql/${PG_VERSION}/${cluster}`]);
}

function writeLocalConfig(cluster: string, port: number, extra: string[] = []): void {
  const confDir = `/etc/postgresql/${PG_VERSION}/${cluster}`;
  writeFileSync(
    `${confDir}/pg_hba.conf`,
    ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', ''].join('\n'),
  );
  mkdirSync(`${confDir}/conf.d`, { recursive: true });
  writeFileSync(
    `${confDir}/conf.d/50-chaos.conf`,
    [
      `listen_addresses = '127.0.0.1'`,
      `port = ${port}`,
      'fsync = off',
      'shared_buffers = 64MB',
      'max_connections = 200',
      ...extra,
      '',
    ].join('\n'),
  );
  run('chown', ['-R', 'postgres:postgres', confDir]);
}

export function startPg(cluster: string): void {
  if (clusterStatus(cluster) !== 'online') run('pg_ctlcluster', ['--skip-systemctl-redirect', PG_VERSION, cluster, 'start']);
}

/** Fast shutdown: what a restart or failover looks like to clients. */
export function stopPg(cluster: string): void {
  if (clusterStatus(cluster) === 'online') run('pg_ctlcluster', ['--skip-systemctl-redirect', PG_VERSION, cluster, 'stop', '-m', 'fast']);
}

export function roleUrl(role: 'vinsight_owner' | 'vinsight_projector' | 'vinsight_api', port: number): string {
  return `postgres://${role}@127.0.0.1:${port}/${PG_DATABASE}`;
}

/** A primary prepared as the local stack prepares 5432 (setup.sh: roles, database) and a streaming replica. */
export async function createPostgres(): Promise<void> {
  dropPostgres();
  run('pg_createcluster', ['--start-conf', 'manual', '-p', String(PG_PRIMARY.port), PG_VERSION, PG_PRIMARY.cluster]);
  writeLocalConfig(PG_PRIMARY.cluster, PG_PRIMARY.port, ['wal_level = replica', 'max_wal_senders = 4', 'max_replication_slots = 4']);
  startPg(PG_PRIMARY.cluster);
  run('bash', [join(ROOT, 'deploy', 'local', 'postgres', 'setup.sh')], {
    ...process.env,
    PRIMARY_CLUSTER: PG_PRIMARY.cluster,
    PRIMARY_PORT: String(PG_PRIMARY.port),
    DATABASES: PG_DATABASE,
  });
  const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${PG_PRIMARY.port}/postgres` });
  await client.connect();
  try {
    await client.query(`SELECT pg_create_physical_replication_slot('${SLOT}')`);
  } finally {
    await client.end();
  }
  run('pg_createcluster', ['--start-conf', 'manual', '-p', String(PG_REPLICA.port), PG_VERSION, PG_REPLICA.cluster]);
  const dataDir = `/var/lib/postgresql/${PG_VERSION}/${PG_REPLICA.cluster}`;
  run('find', [dataDir, '-mindepth', '1', '-delete']);
  asPostgres(`/usr/lib/postgresql/${PG_VERSION}/bin/pg_basebackup`, [
    '-h',
    '127.0.0.1',
    '-p',
    String(PG_PRIMARY.port),
    '-U',
    'postgres',
    '-D',
    dataDir,
    '-R',
    '-X',
    'stream',
    '-S',
    SLOT,
    '-c',
    'fast',
  ]);
  writeLocalConfig(PG_REPLICA.cluster, PG_REPLICA.port, ['hot_standby = on', 'wal_retrieve_retry_interval = 1s', 'max_connections = 200']);
  startPg(PG_REPLICA.cluster);
}

export function dropPostgres(): void {
  dropPgCluster(PG_REPLICA.cluster);
  dropPgCluster(PG_PRIMARY.cluster);
}
