/**
 * `npm run bench:e2e`: the latency a dashboard user feels. Commands go through Kafka at a fixed
 * BENCH_E2E_RATE (1,000/s; 95 % RecordCheckResult, the rest UpdateMonitor) to the built command
 * processor, projector and read API, each its own process as in production. For every check, the
 * time from publishing its command until GET /v1/monitors/:id/checks with the result's position
 * as X-Consistency-Token answers 200 with that check in it. BENCH_E2E_WARMUP_SECONDS (15) at the
 * same rate unmeasured, then BENCH_E2E_SECONDS (60) measured. Runs in a database of its own,
 * `vinsight_bench_e2e` (created and migrated when missing), on fresh topics.
 * The fleet is as large as the rate and the monitors' check interval make it: every monitor is
 * checked once per BENCH_E2E_CHECK_INTERVAL_SECONDS (30), as its `checkInterval` says, so 1,000
 * commands/s run over 28,500 monitors in 285 tenants (a few hundred monitors checked twice a
 * second each would measure Postgres updating the same rows, which no real fleet does).
 * Autovacuum's rules run every BENCH_E2E_AUTOVACUUM_NAPTIME_SECONDS (15) on that database
 * (BenchAutovacuum: this machine's Postgres has autovacuum off).
 * `--floor` runs the same client at the same rate against bench-e2e.floor.ts's bare roles instead
 * (what the machine allows any implementation; JSON field `floor: true`).
 * The last line of output is one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logLevel } from 'kafkajs';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { benchUrls, ensureBenchDatabase } from './bench-api.data';
import { BenchAutovacuum } from './bench-autovacuum';
import { forgetBenchTenants } from './bench-api.token-wait';
import { freePort, startBuiltRole, stopBuiltRole } from './local-services';
import { cpuSecondsOf } from './process-cpu';
import { personalDataEnvironment } from '../libs/personal-data/src/testing/test-keys';

const RATE = Number(process.env.BENCH_E2E_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.BENCH_E2E_WARMUP_SECONDS ?? 15);
const AUTOVACUUM_NAPTIME_SECONDS = Number(process.env.BENCH_E2E_AUTOVACUUM_NAPTIME_SECONDS ?? 15);
const CHECK_INTERVAL_SECONDS = Number(process.env.BENCH_E2E_CHECK_INTERVAL_SECONDS ?? 30);
/** One command in 20 is an UpdateMonitor, the rest are checks. */
const CHECKS_PER_SECOND = RATE * 0.95;
const MONITORS_PER_TENANT = 100;
const TENANTS = Math.max(1, Math.ceil((CHECKS_PER_SECOND * CHECK_INTERVAL_SECONDS) / MONITORS_PER_TENANT));
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const ROLES = ['command-processor', 'projector', 'read-api'] as const;
/**
 * Keep-alive connections the reads share, as a gateway would hold them for many dashboards; more
 * reads wait their turn. A read holds its connection while it waits for its position, so
 * RATE x (wait in s) connections are busy at once (Little's law): at 1,000/s, 32 of them would
 * make the client's own queue the figure as soon as a read waits more than 32 ms.
 */
const READ_CONNECTIONS = Number(process.env.BENCH_E2E_READ_CONNECTIONS ?? 256);
/** A read not answered within this many ms counts as failed ('readTimeout'): the run ends in bounded time. */
const READ_TIMEOUT_MS = Number(process.env.BENCH_E2E_READ_TIMEOUT_MS ?? 10000);
/** Extra node arguments for every role (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, `--trace-gc`). */
const NODE_ARGS = (process.env.BENCH_E2E_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** Extra environment for every role, `NAME=value` pairs separated by spaces (e.g. `PROCESSOR_TRANSACTION_LINGER_MS=10`). */
const ROLE_ENV = Object.fromEntries(
  (process.env.BENCH_E2E_ENV ?? '')
    .split(' ')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
/** A file for the roles' standard output (their log lines, --trace-gc); discarded when unset. */
const ROLES_LOG = process.env.BENCH_E2E_LOG;
/** The bare roles of bench-e2e.floor.ts instead of the service's. */
const FLOOR = process.argv.includes('--floor');

interface Envelope {
  commandId: string;
  type: string;
  tenantId: string;
  payload: Record<string, unknown>;
}

const log = (line: string) => process.stdout.write(line + '\n');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

interface Answer {
  status: number;
  body: unknown;
  /** Why no answer was read: 'readTimeout' (READ_TIMEOUT_MS, counted from the call, so queueing for a connection counts), 'noAnswer'. */
  failure?: 'readTimeout' | 'noAnswer';
}

/** GET on the read API over at most READ_CONNECTIONS keep-alive connections; never rejects, never takes longer than READ_TIMEOUT_MS. */
function readApiClient(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: READ_CONNECTIONS });
  const getJson = (path: string, headers: Record<string, string>) =>
    new Promise<Answer>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => resolve({ status: 0, body: null, failure: 'noAnswer' }));
        res.on('end', () => {
          clearTimeout(timer);
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: null });
          }
        });
      });
      const timer = setTimeout(() => {
        resolve({ status: 0, body: null, failure: 'readTimeout' });
        req.destroy();
      }, READ_TIMEOUT_MS);
      req.on('error', () => {
        clearTimeout(timer);
        resolve({ status: 0, body: null, failure: 'noAnswer' });
      });
      req.end();
    });
  return { getJson, close: () => agent.destroy() };
}

/** One role of this build, on a free port (the processor's start takes longest: topics, group, partition loads). */
async function startRole(role: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const stdout = ROLES_LOG ? openSync(ROLES_LOG, 'a') : 'ignore';
  const entry = FLOOR ? join(__dirname, 'bench-e2e.floor.js') : undefined;
  return { child: await startBuiltRole(role, env, port, { entry, nodeArgs: NODE_ARGS, stdout, startupTimeoutMs: 60_000 }), port };
}

async function main(): Promise<void> {
  const urls = benchUrls(process.env, process.env.BENCH_E2E_DATABASE ?? 'vinsight_bench_e2e');
  await ensureBenchDatabase(urls);
  const prefix = `bench.e2e.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const env = {
    DATABASE_URL: urls.owner,
    PROJECTOR_DATABASE_URL: urls.projector,
    ...personalDataEnvironment(process.env),
    API_DATABASE_URL: urls.api,
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `bench-e2e-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '12',
    ...ROLE_ENV,
  };
  log(
    `bench:e2e${FLOOR ? ' --floor' : ''} on ${BROKERS.join(',')}, topics ${prefix}*, ${RATE} commands/s, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured`,
  );
  const kafka = createKafkaClient({ brokers: BROKERS, clientId: 'bench-e2e' }, { logLevel: logLevel.ERROR });
  const tenants = Array.from({ length: TENANTS }, () => ({
    id: randomUUID(),
    token: `vik_${randomUUID()}`,
    monitors: Array.from({ length: MONITORS_PER_TENANT }, () => randomUUID()),
  }));
  const roles: { child: ChildProcess; port: number }[] = [];
  const autovacuum = await BenchAutovacuum.start(urls.owner, AUTOVACUUM_NAPTIME_SECONDS * 1000);
  let client: CommandClient | undefined;
  let api: ReturnType<typeof readApiClient> | undefined;
  try {
    // The processor first: it creates the topics the others subscribe to.
    for (const role of ROLES) roles.push(await startRole(role, env));
    api = readApiClient(roles[2].port);
    const getJson = api.getJson;
    client = await CommandClient.connect(kafka, topics);
    const setup: Envelope[] = tenants.flatMap((t) => [
      {
        commandId: randomUUID(),
        type: 'CreateTenant',
        tenantId: t.id,
        payload: { name: 'E2E bench', slug: `e2e-${t.id}`, plan: 'enterprise' },
      },
      {
        commandId: randomUUID(),
        type: 'IssueApiKey',
        tenantId: t.id,
        payload: { apiKeyId: randomUUID(), name: 'bench', tokenSha256: sha256(t.token) },
      },
      ...t.monitors.map((monitorId) => ({
        commandId: randomUUID(),
        type: 'CreateMonitor',
        tenantId: t.id,
        payload: { monitorId, name: 'E2E bench', url: 'https://example.com/health', checkInterval: CHECK_INTERVAL_SECONDS },
      })),
    ]);
    const setupDone = Promise.all(setup.map((c) => client!.waitFor(c.commandId, 1, 120000)));
    // Handled at once: if sending fails, disconnecting rejects these waits before anyone awaits them.
    setupDone.catch(() => undefined);
    // In slices: one produce request of every command would pass the broker's message.max.bytes.
    for (let i = 0; i < setup.length; i += 1000) await client.sendMany(setup.slice(i, i + 1000));
    await setupDone;
    log(`setup: ${setup.length} commands done (${TENANTS} tenants, ${TENANTS * MONITORS_PER_TENANT} monitors)`);

    let n = 0;
    const next = () => {
      const i = n++;
      const tenant = tenants[i % TENANTS];
      const monitorId = tenant.monitors[Math.floor(i / TENANTS) % MONITORS_PER_TENANT];
      const checkId = i % 20 === 0 ? undefined : randomUUID();
      const checkedAt = new Date().toISOString();
      const envelope: Envelope = checkId
        ? {
            commandId: randomUUID(),
            type: 'RecordCheckResult',
            tenantId: tenant.id,
            payload: {
              monitorId,
              checkId,
              status: i % 17 === 0 ? 'down' : 'up',
              responseTimeMs: 50 + (i % 400),
              statusCode: 200,
              checkedAt,
            },
          }
        : { commandId: randomUUID(), type: 'UpdateMonitor', tenantId: tenant.id, payload: { monitorId, name: `m${i}` } };
      return { envelope, token: tenant.token, monitorId, checkId, checkedAt };
    };

    type Sent = {
      sentAt: number;
      token: string;
      monitorId: string;
      checkId: string;
      checkedAt: string;
      resultAt?: number;
      decidedAt?: number;
    };
    const run = async (seconds: number, measured: boolean) => {
      const pending = new Map<string, Sent>();
      const latencies: number[] = [];
      /** The two halves of each seen check's latency: publish -> its result consumed, result -> the read that showed it. */
      const toResult: number[] = [];
      const toDecided: number[] = [];
      const resultToRead: number[] = [];
      /** Why checks were not seen: no result in 30 s, rejected, an answer other than 200 (by status), 200 without the check, no answer. */
      const failed: Record<string, number> = {};
      const fail = (reason: string) => (failed[reason] = (failed[reason] ?? 0) + 1);
      let expected = 0;
      const reads: Promise<void>[] = [];
      let readsDone = 0;
      const read = async (sent: Sent, position: string) => {
        // The page that ends at this check (newest first, up to its checkedAt): a read that comes
        // late still finds it on the first page, however many checks came after it.
        const to = new Date(Date.parse(sent.checkedAt) + 1).toISOString();
        const answer = await getJson(`/v1/monitors/${sent.monitorId}/checks?limit=20&to=${encodeURIComponent(to)}`, {
          authorization: `Bearer ${sent.token}`,
          'x-consistency-token': position,
        });
        readsDone++;
        if (answer.failure) fail(answer.failure);
        else if (answer.status !== 200) fail(`http${answer.status}`);
        else if ((answer.body as { data?: { id: string }[] }).data?.some((check) => check.id === sent.checkId)) {
          const now = Date.now();
          latencies.push(now - sent.sentAt);
          toResult.push(sent.resultAt! - sent.sentAt);
          if (sent.decidedAt !== undefined) toDecided.push(sent.decidedAt - sent.sentAt);
          resultToRead.push(now - sent.resultAt!);
        } else fail('checkMissing');
      };
      client!.onResult = (result) => {
        const sent = pending.get(result.commandId);
        if (!sent) return;
        pending.delete(result.commandId);
        sent.resultAt = Date.now();
        if (typeof result.processedAt === 'string') sent.decidedAt = Date.parse(result.processedAt);
        if (result.status !== 'accepted' || typeof result.position !== 'string') fail('rejected');
        else reads.push(read(sent, result.position));
      };
      const begin = Date.now();
      const total = RATE * seconds;
      let sent = 0;
      const progress = setInterval(
        () =>
          log(
            `  ${measured ? 'measured' : 'warm-up'} ${((Date.now() - begin) / 1000).toFixed(0)} s: sent ${sent}, awaiting result ${pending.size}, ` +
              `reads done ${readsDone} of ${reads.length}, failed ${JSON.stringify(failed)}`,
          ),
        5000,
      );
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - begin) / 1000) * RATE) + 1);
        const batch: Envelope[] = [];
        const now = Date.now();
        for (; sent < due; sent++) {
          const command = next();
          if (command.checkId) {
            pending.set(command.envelope.commandId, {
              sentAt: now,
              token: command.token,
              monitorId: command.monitorId,
              checkId: command.checkId,
              checkedAt: command.checkedAt,
            });
            expected++;
          }
          batch.push(command.envelope);
        }
        if (batch.length > 0) await client!.sendMany(batch);
        await sleep(5);
      }
      const deadline = Date.now() + 30000;
      while (pending.size > 0 && Date.now() < deadline) await sleep(20);
      if (pending.size > 0) failed.noResult = pending.size;
      client!.onResult = undefined;
      await Promise.all(reads);
      clearInterval(progress);
      if (!measured) return undefined;
      for (const list of [latencies, toDecided, toResult, resultToRead]) list.sort((a, b) => a - b);
      const failures = Object.values(failed).reduce((sum, count) => sum + count, 0);
      return {
        commands: total,
        reads: reads.length,
        checks: expected,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1],
        toDecided: { p50: percentile(toDecided, 50), p99: percentile(toDecided, 99) },
        toResult: { p50: percentile(toResult, 50), p99: percentile(toResult, 99) },
        resultToRead: { p50: percentile(resultToRead, 50), p99: percentile(resultToRead, 99) },
        failures,
        failed,
      };
    };

    await run(WARMUP_SECONDS, false);
    const cpuBefore = roles.map(({ child }) => cpuSecondsOf(child.pid!));
    const started = Date.now();
    const figures = (await run(SECONDS, true))!;
    const elapsed = (Date.now() - started) / 1000;
    const cpuSeconds = roles.map(({ child }, i) => cpuSecondsOf(child.pid!) - cpuBefore[i]);
    const cores = Object.fromEntries(ROLES.map((role, i) => [role, Number((cpuSeconds[i] / elapsed).toFixed(2))]));
    /** CPU per unit of each role's work, the figure that holds on a shared machine: per command, per command, per read. */
    const cpuUs = {
      commandProcessorPerCommand: Math.round((cpuSeconds[0] * 1e6) / figures.commands),
      projectorPerCommand: Math.round((cpuSeconds[1] * 1e6) / figures.commands),
      readApiPerRead: Math.round((cpuSeconds[2] * 1e6) / Math.max(1, figures.reads)),
    };
    log(
      `publish -> read with its token shows the check, ${figures.checks} checks at ${RATE} commands/s: ` +
        `p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms, ${figures.failures} failed ${JSON.stringify(figures.failed)}; cores used ${JSON.stringify(cores)}, CPU µs ${JSON.stringify(cpuUs)}`,
    );
    log(
      JSON.stringify({
        bench: 'e2e',
        ...(FLOOR && { floor: true }),
        ratePerSec: RATE,
        checks: figures.checks,
        p50Ms: figures.p50,
        p99Ms: figures.p99,
        maxMs: figures.max,
        publishToDecidedMs: figures.toDecided,
        publishToResultMs: figures.toResult,
        resultToReadMs: figures.resultToRead,
        failures: figures.failures,
        failed: figures.failed,
        cores,
        cpuUs,
        autovacuum: autovacuum.done,
      }),
    );
  } finally {
    await autovacuum.stop();
    api?.close();
    await client?.disconnect().catch(() => undefined);
    for (const { child } of roles.reverse()) await stopBuiltRole(child);
    await forgetBenchTenants(
      urls,
      prefix,
      tenants.map((t) => t.id),
    ).catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: Object.values(topics) }))
      .catch(() => undefined)
      .finally(() => admin.disconnect());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:e2e failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
