import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { UNMATCHED_ROUTE } from '@vinsight/observability';
import { command, Envelope } from '../commands/commands';
import { crashWorkload, seededRandom } from '../commands/crash-workload';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { testEnv } from '../test-env';
import { histogramProblems, parsePrometheusText, PrometheusSample, sumOf } from './support/prometheus-text';

/**
 * /metrics of the built all-in-one process under command and HTTP load: it parses as Prometheus
 * text (strict line grammar, histograms consistent) before and after, and the counters move by
 * what the load did: commands by type and outcome, events projected, batch histograms of both
 * consumers, HTTP latency by route pattern; the projection lag and pg pool gauges are there.
 */
const COMMANDS = 3000;
const REJECTED = 25;
const HTTP_CLIENTS = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('/metrics under load', () => {
  let kafka: Kafka;
  let service: ServiceProcess | undefined;
  const prefix = `metrics.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);

  beforeAll(() => {
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'metrics-test' }, { logLevel: 1 });
  });

  afterAll(async () => {
    await service?.kill();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  });

  const scrape = async (): Promise<{ text: string; samples: PrometheusSample[] }> => {
    const response = await fetch(service!.url('/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const samples = parsePrometheusText(text);
    expect(histogramProblems(samples, text)).toEqual([]);
    return { text, samples };
  };

  it('parses as Prometheus text and its counters move with the load', async () => {
    service = ServiceProcess.start(
      'all-in-one',
      roleEnvironment({
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_CLIENT_ID: `metrics-${randomUUID().slice(0, 8)}`,
        KAFKA_PARTITIONS: '3',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        READ_API_RATE_LIMIT_PER_SECOND: '0',
      }),
      await freePort(),
    );
    await service.waitFor('/health/startup', 90000);
    // A healthy start logs no error (KafkaJS's retried broker answers are not errors).
    expect(service.logs.split('\n').filter((line) => line.includes('"level":50'))).toEqual([]);
    const before = await scrape();

    // Commands: a realistic mix, an API key for the first tenant (so /v1 answers 200 once it is
    // projected), and commands that must be rejected as NOT_FOUND.
    const workload = crashWorkload(COMMANDS, 12, seededRandom(4242));
    const tenantId = workload[0].tenantId;
    const monitorId = workload.find((c) => c.type === 'CreateMonitor' && c.tenantId === tenantId)!.payload.monitorId as string;
    const token = `vik_${randomBytes(32).toString('base64url')}`;
    const issueKey = command('IssueApiKey', tenantId, {
      apiKeyId: randomUUID(),
      name: 'metrics',
      tokenSha256: createHash('sha256').update(token).digest('hex'),
    });
    const rejected = Array.from({ length: REJECTED }, () => command('RenameTenant', randomUUID(), { name: 'nobody' }));
    const commands: Envelope[] = [...workload.slice(0, 12), issueKey, ...workload.slice(12), ...rejected];

    const client = await CommandClient.connect(kafka, topics);
    for (let i = 0; i < commands.length; i += 100) {
      await client.sendMany(commands.slice(i, i + 100));
      await sleep(50);
    }
    const answered = Promise.all(commands.map((c) => client.waitFor(c.commandId, 1, 120000).then(([r]) => r)));

    // HTTP load while the commands are processed and projected: routes with and without
    // parameters, and one no route matches (counted under one label, not its raw path).
    let processing = true;
    const sent: Record<string, number> = {};
    const paths = ['/v1/monitors', `/v1/monitors/${monitorId}`, '/v1/summary', '/health/ready', `/v1/nothing-here/${monitorId}`];
    const httpLoad = Array.from({ length: HTTP_CLIENTS }, async (_, index) => {
      for (let n = 0; processing || n < 25; n++) {
        const path = paths[(index + n) % paths.length];
        const response = await fetch(service!.url(path), { headers: { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
        sent[path] = (sent[path] ?? 0) + 1;
      }
    });
    const results = await answered;
    processing = false;
    await Promise.all(httpLoad);
    await client.disconnect();

    // Wait until everything is projected: the API key works and no partition lags.
    const deadline = Date.now() + 120000;
    for (;;) {
      const { samples } = await scrape();
      const lag = sumOf(samples, 'vinsight_projection_lag_events');
      const authorised =
        (await fetch(service.url(`/v1/monitors/${monitorId}`), { headers: { authorization: `Bearer ${token}` } })).status === 200;
      if (lag === 0 && authorised) break;
      if (Date.now() > deadline) throw new Error(`not projected within 120 s (lag ${lag}, key works: ${authorised})`);
      await sleep(500);
    }
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sumOf(after.samples, name, labels) - sumOf(before.samples, name, labels);

    // Commands by type, outcome and error code: exactly what the results say.
    const expected: Record<string, number> = {};
    for (const r of results) {
      const key = `${String(r.type)} ${r.status} ${(r.error as { code?: string } | undefined)?.code ?? ''}`;
      expected[key] = (expected[key] ?? 0) + 1;
    }
    const counted = Object.fromEntries(
      Object.keys(expected).map((key) => {
        const [type, outcome, code] = key.split(' ');
        return [key, delta('vinsight_commands_total', { type, outcome, code })];
      }),
    );
    expect(counted).toEqual(expected);
    expect(expected[`RenameTenant rejected NOT_FOUND`]).toBe(REJECTED);

    // Events projected: at least one per accepted command (a status change adds a second).
    const accepted = results.filter((r) => r.status === 'accepted').length;
    expect(delta('vinsight_events_projected_total', { projection: 'read-models' })).toBeGreaterThanOrEqual(accepted);
    expect(delta('vinsight_events_projected_total', { projection: 'read-models', type: 'CheckRecorded' })).toBeGreaterThan(0);

    // Batch histograms of both consumers.
    for (const component of ['command-processor', 'projector']) {
      expect(delta('vinsight_batch_size_count', { component })).toBeGreaterThan(0);
      expect(delta('vinsight_batch_duration_seconds_count', { component })).toBeGreaterThan(0);
    }
    expect(delta('vinsight_batch_size_sum', { component: 'command-processor' })).toBe(commands.length);

    // HTTP latency by route pattern (never the raw URL), every request counted.
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: '/v1/monitors' })).toBe(sent['/v1/monitors']);
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: '/v1/monitors/:id' })).toBeGreaterThanOrEqual(
      sent[`/v1/monitors/${monitorId}`],
    );
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: '/v1/summary' })).toBe(sent['/v1/summary']);
    expect(delta('http_request_duration_seconds_count', { route: UNMATCHED_ROUTE, status_code: '404' })).toBe(
      sent[`/v1/nothing-here/${monitorId}`],
    );
    const routes = new Set(after.samples.filter((s) => s.name === 'http_request_duration_seconds_count').map((s) => s.labels.route));
    expect([...routes].filter((route) => route.includes(monitorId) || route.includes('nothing-here'))).toEqual([]);

    // Gauges: projection lag per topic and partition, pg pools by state.
    const lagSeries = after.samples.filter((s) => s.name === 'vinsight_projection_lag_events' && s.labels.topic?.startsWith(prefix));
    expect(lagSeries.map((s) => `${s.labels.topic}/${s.labels.partition}`).sort()).toEqual(
      [topics.checkEvents, topics.events].flatMap((topic) => [0, 1, 2].map((p) => `${topic}/${p}`)).sort(),
    );
    // Command latency (taken -> committed) per type and outcome: one observation per result.
    const durations = Object.fromEntries(
      Object.keys(expected).map((key) => {
        const [type, outcome] = key.split(' ');
        return [key, delta('vinsight_command_duration_seconds_count', { type, outcome })];
      }),
    );
    const perTypeAndOutcome = Object.fromEntries(
      Object.keys(expected).map((key) => {
        const [type, outcome] = key.split(' ');
        const sum = Object.entries(expected)
          .filter(([k]) => k.startsWith(`${type} ${outcome} `))
          .reduce((n, [, v]) => n + v, 0);
        return [key, sum];
      }),
    );
    expect(durations).toEqual(perTypeAndOutcome);

    // Consumer lag per group and topic, all caught up now.
    const lag = after.samples.filter((s) => s.name === 'vinsight_consumer_lag' && s.labels.topic?.startsWith(prefix));
    expect(lag.map((s) => s.labels.topic).sort()).toEqual([topics.checkEvents, topics.commands, topics.events].sort());
    expect(lag.map((s) => s.value)).toEqual([0, 0, 0]);

    const pools = after.samples.filter((s) => s.name === 'vinsight_pg_pool_connections');
    // Idle now: nobody waits for a connection (the scrape's own queries are not counted).
    expect(pools.filter((s) => s.labels.state === 'waiting').map((s) => s.value)).toEqual(
      pools.filter((s) => s.labels.state === 'waiting').map(() => 0),
    );
    expect(new Set(pools.map((s) => s.labels.state))).toEqual(new Set(['total', 'idle', 'active', 'waiting']));
    expect(pools.map((s) => s.labels.pool)).toEqual(expect.arrayContaining(['projector', 'api']));

    // Cardinality: made-up command types never make new series, however many a client sends.
    const seriesOf = (samples: PrometheusSample[]) =>
      samples
        .filter((s) => s.name.startsWith('vinsight_command'))
        .map((s) => JSON.stringify([s.name, s.labels]))
        .sort();
    const junk = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        ...command('RenameTenant', randomUUID(), { name: 'x' }),
        type: `Made${i}Up${randomUUID().slice(0, 8)}`,
      }));
    const junkClient = await CommandClient.connect(kafka, topics);
    const first = junk(1);
    await junkClient.sendMany(first);
    await junkClient.waitFor(first[0].commandId, 1, 60000);
    const seriesBefore = seriesOf((await scrape()).samples);
    const thousand = junk(1000);
    for (let i = 0; i < thousand.length; i += 100) await junkClient.sendMany(thousand.slice(i, i + 100));
    const junkResults = await Promise.all(thousand.map((c) => junkClient.waitFor(c.commandId, 1, 120000).then(([r]) => r)));
    await junkClient.disconnect();
    expect(new Set(junkResults.map((r) => r.status))).toEqual(new Set(['rejected']));
    const seriesAfter = seriesOf((await scrape()).samples);
    expect(seriesAfter).toEqual(seriesBefore);
    expect(sumOf((await scrape()).samples, 'vinsight_commands_total', { type: 'unknown', outcome: 'rejected' })).toBeGreaterThanOrEqual(
      1001,
    );

    process.stdout.write(
      `metrics under load: ${commands.length} commands (${accepted} accepted), HTTP requests ${JSON.stringify(sent)}, ` +
        `events projected +${delta('vinsight_events_projected_total')}, series after: ${after.samples.length}\n`,
    );
    const code = await service.stop();
    expect(code).toBe(0);
  }, 600000);
});
