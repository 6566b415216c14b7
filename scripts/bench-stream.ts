/**
 * `npm run bench:stream`: BENCH_STREAMS (1,000) concurrent GET /v1/stream connections on ONE read
 * API process, spread over BENCH_STREAM_TENANTS (20) tenants. Each tenant's monitor then changes
 * status BENCH_STREAM_CHANGES (20) times through Kafka (the built command processor and projector,
 * as in production), and every stream must receive every event of its tenant (status changes and
 * the incidents they open and resolve), exactly once and in order. Reported: the read API's RSS
 * with the streams idle and after the run, its CPU seconds while delivering (from /proc), the
 * deliveries, and publish -> received latency. Runs in the database BENCH_STREAM_DATABASE
 * (`vinsight_bench_stream`, created and migrated when missing), on fresh topics.
 * The last line of output is one JSON object.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { logLevel } from 'kafkajs';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { benchUrls, ensureBenchDatabase } from './bench-api.data';
import { forgetBenchTenants } from './bench-api.token-wait';
import { freePort, startBuiltRole, stopBuiltRole } from './local-services';
import { cpuSecondsOf } from './process-cpu';
import { SseStream } from './sse-client';
import { personalDataEnvironment } from '../libs/personal-data/src/testing/test-keys';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 1000);
const TENANTS = Number(process.env.BENCH_STREAM_TENANTS ?? 20);
const CHANGES = Number(process.env.BENCH_STREAM_CHANGES ?? 20);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const ROLES = ['command-processor', 'projector', 'read-api'] as const;

const log = (line: string) => process.stdout.write(line + '\n');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const rssMbOf = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : Number.NaN;
};

async function startRole(role: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  return { child: await startBuiltRole(role, env, port), port };
}

async function main(): Promise<void> {
  const urls = benchUrls(process.env, process.env.BENCH_STREAM_DATABASE ?? 'vinsight_bench_stream');
  await ensureBenchDatabase(urls);
  const prefix = `bench.stream.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const perTenant = Math.ceil(STREAMS / TENANTS);
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
    KAFKA_CLIENT_ID: `bench-stream-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '12',
    READ_API_RATE_LIMIT_PER_SECOND: '0',
    STREAM_MAX_CONNECTIONS_PER_TENANT: String(perTenant),
  };
  log(`bench:stream: ${STREAMS} streams over ${TENANTS} tenants on one read API, ${CHANGES} status changes per tenant`);
  const kafka = createKafkaClient({ brokers: BROKERS, clientId: 'bench-stream' }, { logLevel: logLevel.ERROR });
  const tenants = Array.from({ length: TENANTS }, () => ({ id: randomUUID(), token: `vik_${randomUUID()}`, monitorId: randomUUID() }));
  const roles: { child: ChildProcess; port: number }[] = [];
  const streams: { tenant: number; stream: SseStream }[] = [];
  let client: CommandClient | undefined;
  try {
    for (const role of ROLES) roles.push(await startRole(role, env));
    const api = roles[2];
    client = await CommandClient.connect(kafka, topics);
    const setup = tenants.flatMap((t) => [
      {
        commandId: randomUUID(),
        type: 'CreateTenant',
        tenantId: t.id,
        payload: { name: 'Stream bench', slug: `s-${t.id}`, plan: 'enterprise' },
      },
      {
        commandId: randomUUID(),
        type: 'IssueApiKey',
        tenantId: t.id,
        payload: { apiKeyId: randomUUID(), name: 'bench', tokenSha256: sha256(t.token) },
      },
      {
        commandId: randomUUID(),
        type: 'CreateMonitor',
        tenantId: t.id,
        payload: { monitorId: t.monitorId, name: 'bench', url: 'https://example.com/', checkInterval: 30 },
      },
    ]);
    const setupDone = Promise.all(setup.map((c) => client!.waitFor(c.commandId, 1, 120000)));
    await client.sendMany(setup);
    const results = (await setupDone).map(([result]) => result);
    // Each tenant's first stream waits (X-Consistency-Token) until the read models hold its API key.
    const positions = tenants.map((_, t) => String(results[t * 3 + 2].position));

    // One socket per stream, as 1,000 browsers would have.
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const openedAt = performance.now();
    for (let i = 0; i < STREAMS; i++) {
      const tenant = i % TENANTS;
      const headers: Record<string, string> = { authorization: `Bearer ${tenants[tenant].token}` };
      if (i < TENANTS) headers['x-consistency-token'] = positions[tenant];
      const opened = await SseStream.open(`http://127.0.0.1:${api.port}/v1/stream`, headers, agent);
      if (opened.status !== 200) throw new Error(`stream ${i} answered ${opened.status}: ${opened.body}`);
      streams.push({ tenant, stream: opened });
    }
    await Promise.all(streams.map(({ stream }) => stream.waitFor((s) => s.events.length >= 1, 60000, 'stream.opened')));
    const openSeconds = (performance.now() - openedAt) / 1000;
    await sleep(2000);
    const rssIdleMb = rssMbOf(api.child.pid!);
    log(`${STREAMS} streams open in ${openSeconds.toFixed(1)} s; read API RSS ${rssIdleMb} MB`);

    // Status changes: down, up, down, ... for each tenant's monitor, tenants interleaved.
    const publishedAt = new Map<string, number>();
    const expected: string[][] = tenants.map(() => []);
    const checks = [];
    let checkedAt = Date.now() - 60 * 60 * 1000;
    for (let change = 0; change < CHANGES; change++) {
      checkedAt += 1000;
      for (const [t, tenant] of tenants.entries()) {
        const status = change % 2 === 0 ? 'down' : 'up';
        const checkId = randomUUID();
        checks.push({
          commandId: randomUUID(),
          type: 'RecordCheckResult',
          tenantId: tenant.id,
          payload: { monitorId: tenant.monitorId, checkId, status, responseTimeMs: 10, checkedAt: new Date(checkedAt).toISOString() },
        });
        expected[t].push(`monitor.status_changed:${checkId}`, status === 'down' ? 'incident.opened' : 'incident.resolved');
      }
    }
    const cpuBefore = cpuSecondsOf(api.child.pid!);
    const started = performance.now();
    for (const check of checks) publishedAt.set(check.payload.checkId, performance.now());
    await client.sendMany(checks);
    const perStream = CHANGES * 2;
    let allReceived = true;
    try {
      await Promise.all(streams.map(({ stream }) => stream.waitFor((s) => s.events.length >= 1 + perStream, 180000, 'every event')));
    } catch {
      allReceived = false;
    }
    const deliverySeconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSecondsOf(api.child.pid!) - cpuBefore;
    await sleep(1000);
    const rssAfterMb = rssMbOf(api.child.pid!);

    const latencies: number[] = [];
    let exact = 0;
    for (const { tenant, stream } of streams) {
      const got = stream.events.slice(1).map((e) => {
        const data = JSON.parse(e.data) as { checkId?: string };
        if (e.event === 'monitor.status_changed') {
          latencies.push(e.receivedAt - publishedAt.get(data.checkId!)!);
          return `${e.event}:${data.checkId}`;
        }
        return e.event;
      });
      if (JSON.stringify(got) === JSON.stringify(expected[tenant])) exact++;
    }
    latencies.sort((x, y) => x - y);
    const delivered = streams.reduce((sum, { stream }) => sum + stream.events.length - 1, 0);
    log(
      JSON.stringify({
        bench: 'stream',
        streams: STREAMS,
        tenants: TENANTS,
        eventsPerStream: perStream,
        delivered,
        streamsWithExactlyTheirEvents: exact,
        allReceived: allReceived && exact === STREAMS,
        readApiRssMbIdle: rssIdleMb,
        readApiRssMbAfter: rssAfterMb,
        readApiCpuSecondsDelivering: Number(cpuSeconds.toFixed(2)),
        cpuMicrosecondsPerDelivery: Number(((cpuSeconds * 1e6) / Math.max(1, delivered)).toFixed(1)),
        deliverySeconds: Number(deliverySeconds.toFixed(2)),
        statusChangeLatencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)) },
        openSeconds: Number(openSeconds.toFixed(1)),
      }),
    );
    if (!allReceived || exact !== STREAMS) process.exitCode = 1;
  } finally {
    for (const { stream } of streams) stream.close();
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
  process.stderr.write(`bench:stream failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
