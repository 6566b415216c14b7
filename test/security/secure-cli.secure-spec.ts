import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { testEnv } from '../test-env';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'libs', 'cli', 'src', 'main.js');

interface CliRun {
  code: number | null;
  stdout: string;
  lines: string[];
  ms: number;
}

/**
 * Against the secured stack (`make test-secure`): the CLI, like a service at start-up, turns Kafka
 * settings the brokers refuse into one line naming the variable and a non-zero exit, at once,
 * instead of KafkaJS's stack traces or a wait for its timeout.
 */
describe('CLI against the secured stack', () => {
  const wrongCa = process.env.TEST_SECURE_WRONG_CA_FILE;
  const slug = `secure-cli-${randomUUID().slice(0, 8)}`;

  beforeAll(() => {
    // Without the secured stack these tests would prove nothing: fail loudly rather than pass.
    expect(testEnv.kafkaSecurityEnvironment.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(wrongCa).toBeDefined();
  });

  function cli(args: string[], overrides: Record<string, string>, without: string[] = []): Promise<CliRun> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
      ...testEnv.kafkaSecurityEnvironment,
      KAFKA_TOPIC_PREFIX: `secure-cli.${randomUUID().slice(0, 8)}.`,
      PROJECTOR_DATABASE_URL: testEnv.projectorUrl,
      ...testEnv.personalDataEnvironment,
      ...overrides,
    };
    for (const name of without) delete env[name];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, lines: stderr.trim().split('\n'), ms: Date.now() - started }));
    });
  }

  const createTenant = ['tenant', 'create', '--name', 'Secure CLI', '--slug', slug, '--plan', 'pro', '--timeout', '30000'];

  it('exits 2 on a wrong Kafka password with one line naming KAFKA_SASL_PASSWORD, publishing nothing', async () => {
    const run = await cli(createTenant, { KAFKA_SASL_PASSWORD: 'not-the-password' }, ['KAFKA_SASL_PASSWORD_FILE']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^error: KAFKA_SASL_PASSWORD: SASL authentication failed for user "vinsight" \(SCRAM-SHA-512\) at 127\.0\.0\.1:/,
      ),
    ]);
    // Not the 30 s the connect would otherwise be given.
    expect(run.ms).toBeLessThan(15000);
  });

  it('names KAFKA_SASL_PASSWORD_FILE when the wrong password came from a file', async () => {
    const run = await cli(createTenant, { KAFKA_SASL_PASSWORD_FILE: join(ROOT, 'package.json') });
    expect(run.code).toBe(2);
    expect(run.lines).toEqual([expect.stringMatching(/^error: KAFKA_SASL_PASSWORD_FILE: SASL authentication failed for user "vinsight"/)]);
  });

  it('exits 2 on a CA that did not sign the broker’s certificate with one line naming KAFKA_SSL_CA_FILE', async () => {
    const run = await cli(createTenant, { KAFKA_SSL_CA_FILE: wrongCa! });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^error: KAFKA_SSL_CA_FILE: the TLS certificate of .* is not trusted by the CA in ".*other-ca\.crt": .*(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
      ),
    ]);
    expect(run.ms).toBeLessThan(15000);
  });

  it('the projections CLI gives the same line for a wrong Kafka password', async () => {
    const run = await cli(['projections', 'status', '--json'], { KAFKA_SASL_PASSWORD: 'not-the-password' }, ['KAFKA_SASL_PASSWORD_FILE']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.lines).toEqual([expect.stringMatching(/^error: KAFKA_SASL_PASSWORD: SASL authentication failed for user "vinsight"/)]);
  });
});
