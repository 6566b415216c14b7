import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A single-node KRaft broker of our own on 127.0.0.1:9192 (controller 9193), run from the jars
 * the local stack fetched (.local/kafka/libs), with its data under .local/kafka-healthtest/, so
 * fault tests can stop it without touching the shared broker on 9092.
 */
const ROOT = join(__dirname, '..', '..', '..');
const LIBS = join(ROOT, '.local', 'kafka', 'libs');
const HOME = join(ROOT, '.local', 'kafka-healthtest');
const DATA = join(HOME, 'data');
const CONFIG = join(HOME, 'server.properties');
const PID_FILE = join(HOME, 'kafka.pid');
const LOG_FILE = join(HOME, 'kafka.log');
export const TEST_BROKER = '127.0.0.1:9192';
const CONTROLLER = '127.0.0.1:9193';

function properties(): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://${TEST_BROKER},CONTROLLER://${CONTROLLER}`,
    `advertised.listeners=PLAINTEXT://${TEST_BROKER},CONTROLLER://${CONTROLLER}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `controller.quorum.bootstrap.servers=${CONTROLLER}`,
    `log.dirs=${DATA}`,
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
  ].join('\n');
}

function runningPid(): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(CONFIG) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function java(args: string[], options: { detached?: boolean; out?: number } = {}) {
  return spawn('java', args, { detached: options.detached, stdio: ['ignore', options.out ?? 'ignore', options.out ?? 'ignore'] });
}

async function format(): Promise<void> {
  if (existsSync(join(DATA, 'meta.properties'))) return;
  // Never a leading '-', as Kafka's own ids: StorageTool would read it as an option (1 run in 64 failed).
  const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
  const tool = java([
    '-cp',
    `${LIBS}/*`,
    'kafka.tools.StorageTool',
    'format',
    '--standalone',
    '--ignore-formatted',
    '--cluster-id',
    clusterId,
    '--config',
    CONFIG,
  ]);
  const code = await new Promise<number | null>((resolve) => tool.once('exit', resolve));
  if (code !== 0) throw new Error(`formatting the test broker's storage failed (${code})`);
}

/** Waits until a KafkaJS admin can list topics, or fails after `timeoutMs`. */
async function waitReady(timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'healthtest-wait', brokers: [TEST_BROKER], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`test broker not ready within ${timeoutMs} ms: ${(error as Error).message}`);
      if (runningPid() === undefined) throw new Error(`test broker exited; see ${LOG_FILE}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

export async function startTestBroker(): Promise<void> {
  if (!existsSync(LIBS)) throw new Error(`Kafka jars missing in ${LIBS}: run deploy/local/kafka/fetch.sh`);
  if (runningPid() === undefined) {
    mkdirSync(DATA, { recursive: true });
    writeFileSync(CONFIG, properties());
    writeFileSync(join(HOME, 'log4j2.properties'), ['status = warn', 'rootLogger.level = warn', ''].join('\n'));
    await format();
    const log = openSync(LOG_FILE, 'a');
    const broker = java(
      [
        '-Xmx384m',
        '-Xms128m',
        '-XX:+UseG1GC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${join(HOME, 'log4j2.properties')}`,
        '-cp',
        `${LIBS}/*`,
        'kafka.Kafka',
        CONFIG,
      ],
      { detached: true, out: log },
    );
    broker.unref();
    writeFileSync(PID_FILE, String(broker.pid));
  }
  await waitReady(90000);
}

/** SIGTERM (a controlled shutdown), SIGKILL after 30 s; resolves once the process is gone. */
export async function stopTestBroker(): Promise<void> {
  const pid = runningPid();
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30000;
  while (runningPid() !== undefined) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops the broker and deletes its data, leaving nothing behind. */
export async function removeTestBroker(): Promise<void> {
  await stopTestBroker();
  rmSync(HOME, { recursive: true, force: true });
}
