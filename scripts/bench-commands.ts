/**
 * `npm run bench:commands`: command throughput end to end (published -> result consumed) at full
 * speed, latency at a fixed 1,000 commands/s, and, in the same run, raw KafkaJS produce->consume
 * of the same messages as the ceiling. The last line of output is one JSON object.
 *
 * The processor runs as its own process from dist/, as in production. Environment:
 * BENCH_COMMANDS (default 50000), BENCH_TENANTS (200), BENCH_RATE_SECONDS (10), BENCH_PROCESSOR_LOG
 * (a file for the processor's own log lines), BENCH_PROCESSOR_NODE_ARGS (e.g. `--cpu-prof`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { cpuSecondsOf } from './process-cpu';

const TOTAL = Number(process.env.BENCH_COMMANDS ?? 50000);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 200);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const MONITORS_PER_TENANT = 10;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
/** The built tree this script runs from (dist/ normally). */
const BUILD = join(__dirname, '..');

type Envelope = { commandId: string; type: string; tenantId: string; payload: Record<string, unknown> };

const log = (line: string) => process.stdout.write(line + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

class Fleet {
  readonly tenants = Array.from({ length: TENANTS }, () => ({
    id: randomUUID(),
    monitors: Array.from({ length: MONITORS_PER_TENANT }, () => randomUUID()),
  }));
  private n = 0;

  setup(): Envelope[] {
    return this.tenants.flatMap((t) => [
      { commandId: randomUUID(), type: 'CreateTenant', tenantId: t.id, payload: { name: 'Bench', slug: `b-${randomUUID()}`, plan: 'enterprise' } },
      ...t.monitors.map((monitorId) => ({
        commandId: randomUUID(),
        type: 'CreateMonitor',
        tenantId: t.id,
        payload: { monitorId, name: 'Bench monitor', url: 'https://example.com/health', checkInterval: 30 },
      })),
    ]);
  }

  /** Mostly check results (90 %), some monitor updates and tenant renames. */
  next(): Envelope {
    const i = this.n++;
    const tenant = this.tenants[i % this.tenants.length];
    const monitorId = tenant.monitors[Math.floor(i / this.tenants.length) % MONITORS_PER_TENANT];
    const roll = i % 20;
    if (roll === 0) return { commandId: randomUUID(), type: 'UpdateMonitor', tenantId: tenant.id, payload: { monitorId, name: `m${i}` } };
    if (roll === 1) return { commandId: randomUUID(), type: 'RenameTenant', tenantId: tenant.id, payload: { name: `t${i}` } };
    return {
      commandId: randomUUID(),
      type: 'RecordCheckResult',
      tenantId: tenant.id,
      payload: {
        monitorId,
        checkId: randomUUID(),
        status: i % 17 === 0 ? 'down' : 'up',
        responseTimeMs: 50 + (i % 400),
        statusCode: i % 17 === 0 ? 503 : 200,
        checkedAt: new Date().toISOString(),
        region: 'eu-west-1',
      },
    };
  }
}

async function startProcessor(prefix: string, clientId: string): Promise<ChildProcess> {
  const port = 3990;
  const nodeArgs = (process.env.BENCH_PROCESSOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(BUILD, 'apps', 'command-processor', 'src', 'main.js')], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      HTTP_PORT: String(port),
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://vinsight_owner@127.0.0.1:5432/vinsight_test',
      PROJECTOR_DATABASE_URL: process.env.PROJECTOR_DATABASE_URL ?? 'postgres://vinsight_projector@127.0.0.1:5432/vinsight_test',
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: clientId,
      KAFKA_PARTITIONS: '12',
    },
    stdio: ['ignore', process.env.BENCH_PROCESSOR_LOG ? openSync(process.env.BENCH_PROCESSOR_LOG, 'w') : 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/startup`)).status === 200) return child;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`processor exited with ${child.exitCode}`);
    await sleep(100);
  }
  throw new Error('processor did not start');
}

async function publishAll(client: CommandClient, commands: Envelope[], chunk = 500) {
  for (let i = 0; i < commands.length; i += chunk) await client.sendMany(commands.slice(i, i + chunk));
}

async function fullSpeed(client: CommandClient, fleet: Fleet): Promise<number> {
  const commands = Array.from({ length: TOTAL }, () => fleet.next());
  const ids = new Set(commands.map((c) => c.commandId));
  let accepted = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  client.onResult = (result) => {
    if (ids.delete(result.commandId)) {
      if (result.status === 'accepted') accepted++;
      if (ids.size === 0) done();
    }
  };
  const started = process.hrtime.bigint();
  await publishAll(client, commands);
  await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  client.onResult = undefined;
  log(`full speed: ${TOTAL} commands (${accepted} accepted) in ${seconds.toFixed(2)} s`);
  return accepted / seconds;
}

async function fixedRate(client: CommandClient, fleet: Fleet, perSecond: number): Promise<{ p50: number; p99: number }> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  client.onResult = (result, receivedAt) => {
    const t = sentAt.get(result.commandId);
    if (t !== undefined) {
      latencies.push(receivedAt - t);
      sentAt.delete(result.commandId);
    }
  };
  const tickMs = 10;
  const perTick = (perSecond * tickMs) / 1000;
  const total = perSecond * RATE_SECONDS;
  const begin = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - begin) / 1000) * perSecond) + perTick);
    const batch: Envelope[] = [];
    while (sent < due) {
      batch.push(fleet.next());
      sent++;
    }
    if (batch.length > 0) {
      const now = Date.now();
      for (const c of batch) sentAt.set(c.commandId, now);
      await client.sendMany(batch);
    }
    await sleep(tickMs);
  }
  const deadline = Date.now() + 30000;
  while (sentAt.size > 0 && Date.now() < deadline) await sleep(20);
  client.onResult = undefined;
  latencies.sort((a, b) => a - b);
  const achieved = (latencies.length / ((Date.now() - begin) / 1000)).toFixed(0);
  log(`fixed rate: ${latencies.length}/${total} results at ~${perSecond}/s (measured ${achieved}/s incl. drain)`);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The ceiling: the same messages through KafkaJS alone, produce -> consume, no processing. */
async function rawCeiling(kafka: Kafka, fleet: Fleet, prefix: string): Promise<number> {
  const topic = `${prefix}raw`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 12, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const messages = Array.from({ length: TOTAL }, () => fleet.next()).map((c) => ({ key: c.tenantId, value: JSON.stringify(c) }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `${prefix}raw`, maxWaitTimeInMs: 20 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) JSON.parse(m.value!.toString('utf8'));
      seen += batch.messages.length;
      if (seen >= TOTAL) done();
    },
  });
  await joined;
  const started = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  await finished;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.disconnect();
  await producer.disconnect();
  log(`raw KafkaJS: ${TOTAL} messages produced and consumed in ${seconds.toFixed(2)} s`);
  return TOTAL / seconds;
}

async function main() {
  const prefix = `bench.${randomUUID().slice(0, 8)}.`;
  const kafka = createKafkaClient({ brokers: BROKERS, clientId: 'bench-commands' }, { logLevel: logLevel.ERROR });
  const topics = topicNames(prefix);
  log(`bench:commands on ${BROKERS.join(',')}, topics ${prefix}*, ${TOTAL} commands, ${TENANTS} tenants x ${MONITORS_PER_TENANT} monitors`);
  const processor = await startProcessor(prefix, `bench-${randomUUID().slice(0, 8)}`);
  try {
    const client = await CommandClient.connect(kafka, topics);
    const fleet = new Fleet();
    const setup = fleet.setup();
    await publishAll(client, setup);
    await Promise.all(setup.map((c) => client.waitFor(c.commandId, 1, 120000)));
    log(`setup: ${setup.length} commands done`);
    // Warm-up, then the measured runs.
    const warm = Array.from({ length: 2000 }, () => fleet.next());
    await publishAll(client, warm);
    await Promise.all(warm.map((c) => client.waitFor(c.commandId, 1, 120000)));
    const cpuBefore = cpuSecondsOf(processor.pid!);
    const commandsPerSec = await fullSpeed(client, fleet);
    const processorCpuUsPerCommand = Math.round(((cpuSecondsOf(processor.pid!) - cpuBefore) * 1e6) / TOTAL);
    log(`processor CPU at full speed: ${processorCpuUsPerCommand} µs per command`);
    const latency = await fixedRate(client, fleet, 1000);
    await client.disconnect();
    const rawPerSec = await rawCeiling(kafka, fleet, prefix);
    const result = {
      bench: 'commands',
      commandsPerSec: Math.round(commandsPerSec),
      rawPerSec: Math.round(rawPerSec),
      ratio: Number((commandsPerSec / rawPerSec).toFixed(3)),
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      processorCpuUsPerCommand,
    };
    log(JSON.stringify(result));
  } finally {
    processor.kill('SIGTERM');
    await new Promise((r) => processor.once('exit', r));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:commands failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
