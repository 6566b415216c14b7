import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { testEnv } from '../test-env';

/**
 * Against the secured stack (`make test-secure`: SASL_SSL with SCRAM-SHA-512, Postgres hostssl
 * only): a setting only the broker or the server can judge wrong stops a role at start-up with one
 * line naming the variable and a non-zero exit, instead of clients retrying for ever.
 */
describe('start-up against the secured stack', () => {
  const wrongCa = process.env.TEST_SECURE_WRONG_CA_FILE;

  beforeAll(() => {
    // Without the secured stack these tests would prove nothing: fail loudly rather than pass.
    expect(testEnv.kafkaSecurityEnvironment.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(testEnv.apiUrl).toContain('sslmode=verify-full');
    expect(wrongCa).toBeDefined();
  });

  async function failedStart(
    overrides: Record<string, string>,
    without: string[] = [],
  ): Promise<{ code: number | null; lines: string[]; ms: number }> {
    const started = Date.now();
    const env = roleEnvironment({ MIGRATE_ON_START: 'false', KAFKA_TOPIC_PREFIX: `secure.${randomUUID().slice(0, 8)}.`, ...overrides });
    for (const name of without) delete env[name];
    const service = ServiceProcess.start('read-api', env, await freePort());
    const code = await service.exited;
    return { code, lines: service.logs.trim().split('\n'), ms: Date.now() - started };
  }

  it('boots with the right password and CA', async () => {
    const service = ServiceProcess.start('read-api', roleEnvironment({ MIGRATE_ON_START: 'false' }), await freePort());
    try {
      await service.waitFor('/health/startup', 60000);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('stops on a wrong Kafka password with one line naming KAFKA_SASL_PASSWORD', async () => {
    const { code, lines, ms } = await failedStart({ KAFKA_SASL_PASSWORD: 'not-the-password' }, ['KAFKA_SASL_PASSWORD_FILE']);
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^read-api: KAFKA_SASL_PASSWORD: SASL authentication failed for user "vinsight" \(SCRAM-SHA-512\) at /),
    ]);
    expect(ms).toBeLessThan(45000);
  });

  it('names KAFKA_SASL_PASSWORD_FILE when the wrong password came from a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vinsight-secure-')), 'password');
    writeFileSync(file, 'not-the-password\n');
    const { code, lines } = await failedStart({ KAFKA_SASL_PASSWORD_FILE: file });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^read-api: KAFKA_SASL_PASSWORD_FILE: SASL authentication failed for user "vinsight"/)]);
  });

  it('stops on a CA that did not sign the broker’s certificate with one line naming KAFKA_SSL_CA_FILE', async () => {
    const { code, lines, ms } = await failedStart({ KAFKA_SSL_CA_FILE: wrongCa! });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        /^read-api: KAFKA_SSL_CA_FILE: the TLS certificate of .* is not trusted by the CA in ".*other-ca\.crt": .*(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
      ),
    ]);
    expect(ms).toBeLessThan(45000);
  });

  it('stops on a Postgres CA that did not sign the server’s certificate with one line naming the URL’s variable', async () => {
    const { code, lines } = await failedStart({ API_DATABASE_URL: testEnv.apiUrl.replace(/sslrootcert=[^&]+/, `sslrootcert=${wrongCa}`) });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        /^read-api: API_DATABASE_URL: the TLS certificate of Postgres at .* is not trusted by the CA in sslrootcert ".*other-ca\.crt"/,
      ),
    ]);
  });

  it('reads a streaming replica over TLS: readiness reports the standby replaying', async () => {
    expect(testEnv.replicaUrl).toContain(':5461/');
    expect(testEnv.replicaUrl).toContain('sslmode=verify-full');
    const service = ServiceProcess.start(
      'read-api',
      roleEnvironment({ MIGRATE_ON_START: 'false', REPLICA_DATABASE_URL: testEnv.replicaUrl }),
      await freePort(),
    );
    try {
      await service.waitFor('/health/ready', 60000);
      const body = (await (await fetch(service.url('/health/ready'))).json()) as { info: Record<string, Record<string, unknown>> };
      expect(body.info.replication).toMatchObject({ status: 'up', standby: true, receiving: true });
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('stops on a replica CA that did not sign the server’s certificate with one line naming REPLICA_DATABASE_URL', async () => {
    const { code, lines } = await failedStart({
      REPLICA_DATABASE_URL: testEnv.replicaUrl.replace(/sslrootcert=[^&]+/, `sslrootcert=${wrongCa}`),
    });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(
        /^read-api: REPLICA_DATABASE_URL: the TLS certificate of Postgres at 127\.0\.0\.1:5461 is not trusted by the CA in sslrootcert ".*other-ca\.crt"/,
      ),
    ]);
  });

  it('stops when a role connects to Postgres without TLS, which pg_hba.conf refuses', async () => {
    const { code, lines } = await failedStart({ API_DATABASE_URL: testEnv.apiUrl.replace(/\?.*$/, '?sslmode=disable') });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^read-api: API_DATABASE_URL: Postgres at .* refused role "vinsight_api": .*no encryption/),
    ]);
  });
});
