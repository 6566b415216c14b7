import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaClient, topicNames } from '@vinsight/kafka';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { TopicCapture } from '../commands/topic-capture';
import { testEnv } from '../test-env';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'libs', 'cli', 'src', 'main.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI (`npm run cli`) as an operator runs it: a child process with its own environment. */
describe('CLI, end to end against a running command processor', () => {
  const prefix = `e2e-cli.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const cliEnv = {
    PATH: process.env.PATH ?? '',
    KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
    ...testEnv.kafkaSecurityEnvironment,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-cli-${randomUUID().slice(0, 8)}`,
  };
  let processor: ServiceProcess;
  let capture: TopicCapture;

  function cli(args: string[], stdin?: string, env: Record<string, string> = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...cliEnv, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });
  }

  const json = (run: CliRun) => {
    try {
      return JSON.parse(run.stdout);
    } catch {
      throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
    }
  };

  beforeAll(async () => {
    const env = roleEnvironment({ KAFKA_TOPIC_PREFIX: prefix, KAFKA_CLIENT_ID: `e2e-${randomUUID().slice(0, 8)}`, KAFKA_PARTITIONS: '3' });
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    const kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'e2e-cli-test' }, { logLevel: 1 });
    capture = await TopicCapture.start(kafka, [topics.events, topics.checkEvents]);
  });

  afterAll(async () => {
    await capture?.stop();
    await processor?.stop();
  });

  const tenantId = randomUUID();

  const groupIds = async () => {
    const admin = createKafkaClient({ ...testEnv.kafka, clientId: 'e2e-cli-groups' }, { logLevel: 1 }).admin();
    await admin.connect();
    try {
      return (await admin.listGroups()).groups.map((group) => group.groupId);
    } finally {
      await admin.disconnect();
    }
  };

  it('makes the ids itself: tenant create, monitor create, check record (--output for a shell variable)', async () => {
    const tenant = await cli(['tenant', 'create', '--name', 'Verb Corp', '--slug', `verb-${randomUUID().slice(0, 8)}`, '--plan', 'pro']);
    expect(tenant.code).toBe(0);
    const created = json(tenant);
    expect(created).toMatchObject({
      tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      result: { status: 'accepted', type: 'CreateTenant' },
    });
    expect(created.result.tenantId).toBe(created.tenantId);

    const monitor = await cli([
      'monitor',
      'create',
      '--tenant',
      created.tenantId,
      '--name',
      'Home',
      '--url',
      'https://example.com/',
      '--output',
      'monitorId',
    ]);
    expect(monitor.code).toBe(0);
    const monitorId = monitor.stdout.trim();
    expect(monitorId).toMatch(/^[0-9a-f-]{36}$/);

    const check = await cli([
      'check',
      'record',
      '--tenant',
      created.tenantId,
      '--monitor',
      monitorId,
      '--status',
      'down',
      '--latency-ms',
      '250',
      '--status-code',
      '503',
    ]);
    expect(check.code).toBe(0);
    const recorded = json(check);
    const [event] = await capture.waitFor(topics.checkEvents, (r) => r.json?.commandId === recorded.result.commandId);
    expect(event.json).toMatchObject({
      tenantId: created.tenantId,
      payload: { monitorId, checkId: recorded.checkId, status: 'down', responseTimeMs: 250, statusCode: 503 },
    });
  });

  it('sends 10,000 RecordCheckResult commands from one NDJSON file in one process, streaming a result line per input line', async () => {
    const setup = json(
      await cli(['tenant', 'create', '--name', 'Batch Corp', '--slug', `batch-${randomUUID().slice(0, 8)}`, '--plan', 'enterprise']),
    );
    const monitorId = (
      await cli([
        'monitor',
        'create',
        '--tenant',
        setup.tenantId,
        '--name',
        'Busy',
        '--url',
        'https://example.com/busy',
        '--output',
        'monitorId',
      ])
    ).stdout.trim();
    const count = 10_000;
    const now = Date.now();
    const lines = Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        type: 'RecordCheckResult',
        tenantId: setup.tenantId,
        payload: {
          monitorId,
          checkId: randomUUID(),
          status: i % 10 === 0 ? 'down' : 'up',
          responseTimeMs: i % 500,
          checkedAt: new Date(now - (count - i) * 10).toISOString(),
        },
      }),
    );
    // One line that the processor must reject, and one that cannot be sent: both reported, neither stops the rest.
    lines.push(JSON.stringify({ type: 'PauseMonitor', tenantId: setup.tenantId, payload: { monitorId: randomUUID() } }), '{"type":');
    const dir = mkdtempSync(join(tmpdir(), 'cli-batch-'));
    try {
      const file = join(dir, 'checks.ndjson');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const started = Date.now();
      const run = await cli(['command', 'send', '--file', file, '--timeout', '60000']);
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(
        `CLI batch: ${count} RecordCheckResult in one process: ${seconds.toFixed(2)} s wall (${Math.round(count / seconds)}/s); the CLI says: ${run.stderr.trim().split('\n').pop()}\n`,
      );
      expect(run.code).toBe(2);
      const printed = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { line: number; status: string; commandId?: string; type?: string });
      expect(printed).toHaveLength(count + 2);
      expect(new Set(printed.map((p) => p.line)).size).toBe(count + 2);
      const byStatus = (status: string) => printed.filter((p) => p.status === status);
      expect(byStatus('accepted')).toHaveLength(count);
      expect(byStatus('rejected').map((p) => [p.line, p.type])).toEqual([[count + 1, 'PauseMonitor']]);
      expect(byStatus('invalid').map((p) => p.line)).toEqual([count + 2]);
      expect(run.stderr).toMatch(
        new RegExp(`sent ${count + 1} commands in [\\d.]+ s: ${count} accepted, 1 rejected, 1 invalid, 0 unknown \\(\\d+ commands/s\\)`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('gives up connecting to a wrong broker within --timeout, with one line and exit 1', async () => {
    // Node's start-up and module loading, measured alike: on a loaded machine it is seconds.
    const helpStarted = Date.now();
    expect((await cli(['--help'])).code).toBe(0);
    const startUp = Date.now() - helpStarted;
    const started = Date.now();
    const run = await cli(['tenant', 'create', '--name', 'Nowhere', '--slug', 'nowhere', '--timeout', '3000'], undefined, {
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    const elapsed = Date.now() - started;
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: cannot connect to Kafka at 127\.0\.0\.1:1 \(KAFKA_BROKERS\) within 3000 ms/);
    // the deadline and the exit grace for KafkaJS's sockets (KafkaJS alone retries for ~20 s)
    expect(elapsed - startUp).toBeLessThan(3000 + 1000 + 2000);
  });

  it('runs the projections CLI as `cli projections`, and `npm run projections` (dist/scripts/projections.js) is the same verb', async () => {
    const env = { PROJECTOR_DATABASE_URL: testEnv.projectorUrl, ...testEnv.personalDataEnvironment };
    const viaCli = await cli(['projections', 'status', '--json'], undefined, env);
    expect(viaCli.code).toBe(0);
    expect(json(viaCli)).toMatchObject({ projection: expect.any(String), partitions: expect.any(Array), totalLag: expect.any(Number) });

    const alias = await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'projections.js'), 'parked', 'dismiss'], {
        cwd: ROOT,
        env: { ...cliEnv, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(alias.code).toBe(2);
    expect(alias.stderr).toContain('parked dismiss needs ids and --reason');
    expect(alias.stderr).toContain('usage: npm run cli -- projections <command>');
  });

  it('creates a tenant from flags, prints the accepted result and exits 0', async () => {
    const run = await cli([
      'command',
      'send',
      '--type',
      'CreateTenant',
      '--tenant',
      tenantId.toUpperCase(),
      '--payload',
      JSON.stringify({ name: 'CLI Corp', slug: `cli-${tenantId.slice(0, 8)}`, plan: 'pro' }),
      '--expected-version',
      '0',
      '--issued-by',
      'e2e-operator',
    ]);
    expect(run.code).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({
      status: 'accepted',
      tenantId,
      type: 'CreateTenant',
      aggregateId: tenantId,
      version: 1,
      duplicate: false,
    });
    expect(run.stderr).toBe('');
    const [event] = await capture.waitFor(topics.events, (r) => r.json?.commandId === result.commandId);
    expect(event.json).toMatchObject({ type: 'TenantCreated', tenantId, issuedBy: 'e2e-operator' });
    expect(event.message.key?.toString()).toBe(tenantId);
  });

  it('creates an API key: prints the token once, and only its SHA-256 travels', async () => {
    const run = await cli(['api-key', 'create', '--tenant', tenantId, '--name', 'deploy pipeline', '--expires-at', '2099-01-01T00:00:00Z']);
    expect(run.code).toBe(0);
    const issued = json(run);
    expect(issued).toMatchObject({
      tenantId,
      name: 'deploy pipeline',
      expiresAt: '2099-01-01T00:00:00Z',
      result: { status: 'accepted', type: 'IssueApiKey' },
    });
    expect(issued.token).toMatch(/^vik_[A-Za-z0-9_-]{43}$/);
    expect(run.stdout.split(issued.token)).toHaveLength(2);
    expect(run.stderr).toMatch(/only time the token is shown/);
    expect(run.stderr).not.toContain(issued.token);

    const [event] = await capture.waitFor(topics.events, (r) => r.json?.commandId === issued.result.commandId);
    expect(event.json).toMatchObject({
      type: 'ApiKeyIssued',
      aggregateId: issued.apiKeyId,
      payload: { apiKeyId: issued.apiKeyId, name: 'deploy pipeline' },
    });
    expect(event.json.payload.tokenSha256).toBe(createHash('sha256').update(issued.token, 'utf8').digest('hex'));
    expect(event.message.value?.toString()).not.toContain(issued.token.slice(4));
  });

  it('sends a file from standard input: a rejection exits 3, and a repeat of an accepted command id exits 0 with duplicate', async () => {
    const missing = await cli(
      ['command', 'send', '--file', '-'],
      JSON.stringify({ type: 'PauseMonitor', tenantId, payload: { monitorId: randomUUID() } }),
    );
    expect(missing.code).toBe(3);
    expect(json(missing)).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });

    const rename = { commandId: randomUUID(), type: 'RenameTenant', tenantId, payload: { name: 'CLI Corp II' } };
    const first = await cli(['command', 'send', '--file', '-'], JSON.stringify(rename));
    const again = await cli(['command', 'send', '--file', '-'], JSON.stringify(rename));
    expect([first.code, again.code]).toEqual([0, 0]);
    // The original result; its position is where the partition stands at the repeat.
    expect(json(again)).toEqual({ ...json(first), duplicate: true, position: expect.any(String) });
  });

  it('exits 2 without publishing on bad arguments', async () => {
    const run = await cli(['command', 'send', '--type', 'CreateTenant', '--tenant', 'not-a-uuid']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--tenant must be a UUID');
  });

  it('exits 1 when no result comes in time, naming the command id to retry with', async () => {
    await processor.stop();
    const commandId = randomUUID();
    const run = await cli([
      'command',
      'send',
      '--type',
      'RenameTenant',
      '--tenant',
      tenantId,
      '--payload',
      '{"name":"Later"}',
      '--command-id',
      commandId,
      '--timeout',
      '1500',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`no result for RenameTenant ${commandId} within 1500 ms`);
    expect(run.stderr).toContain(`--command-id ${commandId}`);
  });

  it('waits in a consumer group named under KAFKA_CLIENT_ID, and deletes it on exit', async () => {
    // The processor is stopped: the run waits for its timeout, long enough to see its group.
    const ours = (groups: string[]) => groups.filter((group) => group.startsWith(`${cliEnv.KAFKA_CLIENT_ID}.cli.`));
    const running = cli([
      'command',
      'send',
      '--type',
      'RenameTenant',
      '--tenant',
      tenantId,
      '--payload',
      '{"name":"Later"}',
      '--timeout',
      '10000',
    ]);
    let finished = false;
    void running.then(() => (finished = true));
    let seen: string[] = [];
    while (!finished && seen.length === 0) {
      seen = ours(await groupIds());
      if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toEqual([expect.stringMatching(new RegExp(`^${cliEnv.KAFKA_CLIENT_ID}\\.cli\\.[0-9a-f-]{36}$`))]);
    expect((await running).code).toBe(1);
    expect(ours(await groupIds())).toEqual([]);
  });
});
