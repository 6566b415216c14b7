import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
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
  const cliEnv = { PATH: process.env.PATH ?? '', KAFKA_BROKERS: testEnv.kafkaBrokers.join(','), ...testEnv.kafkaSecurityEnvironment, KAFKA_TOPIC_PREFIX: prefix, KAFKA_CLIENT_ID: `e2e-cli-${randomUUID().slice(0, 8)}` };
  let processor: ServiceProcess;
  let capture: TopicCapture;

  function cli(args: string[], stdin?: string): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cliEnv, stdio: ['pipe', 'pipe', 'pipe'] });
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
    capture = await TopicCapture.start(kafka, [topics.events]);
  });

  afterAll(async () => {
    await capture?.stop();
    await processor?.stop();
  });

  const tenantId = randomUUID();

  it('creates a tenant from flags, prints the accepted result and exits 0', async () => {
    const run = await cli([
      'command', 'send', '--type', 'CreateTenant', '--tenant', tenantId.toUpperCase(),
      '--payload', JSON.stringify({ name: 'CLI Corp', slug: `cli-${tenantId.slice(0, 8)}`, plan: 'pro' }),
      '--expected-version', '0', '--issued-by', 'e2e-operator',
    ]);
    expect(run.code).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({ status: 'accepted', tenantId, type: 'CreateTenant', aggregateId: tenantId, version: 1, duplicate: false });
    expect(run.stderr).toBe('');
    const [event] = await capture.waitFor(topics.events, (r) => r.json?.commandId === result.commandId);
    expect(event.json).toMatchObject({ type: 'TenantCreated', tenantId, issuedBy: 'e2e-operator' });
    expect(event.message.key?.toString()).toBe(tenantId);
  });

  it('creates an API key: prints the token once, and only its SHA-256 travels', async () => {
    const run = await cli(['api-key', 'create', '--tenant', tenantId, '--name', 'deploy pipeline', '--expires-at', '2099-01-01T00:00:00Z']);
    expect(run.code).toBe(0);
    const issued = json(run);
    expect(issued).toMatchObject({ tenantId, name: 'deploy pipeline', expiresAt: '2099-01-01T00:00:00Z', result: { status: 'accepted', type: 'IssueApiKey' } });
    expect(issued.token).toMatch(/^vik_[A-Za-z0-9_-]{43}$/);
    expect(run.stdout.split(issued.token)).toHaveLength(2);
    expect(run.stderr).toMatch(/only time the token is shown/);
    expect(run.stderr).not.toContain(issued.token);

    const [event] = await capture.waitFor(topics.events, (r) => r.json?.commandId === issued.result.commandId);
    expect(event.json).toMatchObject({ type: 'ApiKeyIssued', aggregateId: issued.apiKeyId, payload: { apiKeyId: issued.apiKeyId, name: 'deploy pipeline' } });
    expect(event.json.payload.tokenSha256).toBe(createHash('sha256').update(issued.token, 'utf8').digest('hex'));
    expect(event.message.value?.toString()).not.toContain(issued.token.slice(4));
  });

  it('sends a file from standard input: a rejection exits 3, and a repeat of an accepted command id exits 0 with duplicate', async () => {
    const missing = await cli(['command', 'send', '--file', '-'], JSON.stringify({ type: 'PauseMonitor', tenantId, payload: { monitorId: randomUUID() } }));
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
    const run = await cli(['command', 'send', '--type', 'RenameTenant', '--tenant', tenantId, '--payload', '{"name":"Later"}', '--command-id', commandId, '--timeout', '1500']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`no result for RenameTenant ${commandId} within 1500 ms`);
    expect(run.stderr).toContain(`--command-id ${commandId}`);
  });
});
