import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadKafkaSecurity } from './config.loader';

/** Committed test-only PEM files (a CA, a client certificate and its key, an unrelated key). */
const TLS = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tls');
const CA = join(TLS, 'ca.crt');
const CERT = join(TLS, 'client.crt');
const KEY = join(TLS, 'client.key');
const OTHER_KEY = join(TLS, 'other.key');
const MISSING = join(TLS, 'missing.pem');

const base = {
  API_DATABASE_URL: 'postgres://vinsight_api@127.0.0.1:5432/vinsight',
  MIGRATE_ON_START: 'false',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(['read-api'], { ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

function messageOf(env: Record<string, string>): string {
  try {
    loadConfig(['read-api'], { ...base, ...env });
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

function fileWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vinsight-config-')), 'value');
  writeFileSync(path, text);
  return path;
}

describe('Kafka security settings', () => {
  it('connects in plaintext without SASL by default', () => {
    const kafka = loadConfig(['read-api'], base).kafka;
    expect(kafka.ssl).toBeUndefined();
    expect(kafka.sasl).toBeUndefined();
  });

  it('reads the CA, the client certificate and its key at boot', () => {
    const kafka = loadConfig(['read-api'], {
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: CA,
      KAFKA_SSL_CERT_FILE: CERT,
      KAFKA_SSL_KEY_FILE: KEY,
    }).kafka;
    expect(kafka.ssl?.ca?.[0]).toContain('BEGIN CERTIFICATE');
    expect(kafka.ssl?.cert).toContain('BEGIN CERTIFICATE');
    expect(kafka.ssl?.key).toContain('PRIVATE KEY');
    expect(kafka.ssl?.caFile).toBe(CA);
  });

  it('uses the default trust store when KAFKA_SSL has no CA file', () => {
    expect(loadConfig(['read-api'], { ...base, KAFKA_SSL: 'true' }).kafka.ssl).toEqual({});
  });

  it.each([
    ['KAFKA_SSL', { KAFKA_SSL: 'maybe' }],
    ['KAFKA_SSL_CA_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: MISSING }],
    ['KAFKA_SSL_CA_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: KEY }],
    ['KAFKA_SSL_CA_FILE', { KAFKA_SSL_CA_FILE: CA }],
    ['KAFKA_SSL_KEY_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: CERT }],
    ['KAFKA_SSL_CERT_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: KEY }],
    ['KAFKA_SSL_KEY_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: CERT, KAFKA_SSL_KEY_FILE: OTHER_KEY }],
    ['KAFKA_SSL_KEY_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: CERT, KAFKA_SSL_KEY_FILE: CA }],
    ['KAFKA_SSL_CERT_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: KEY, KAFKA_SSL_KEY_FILE: KEY }],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }],
    ['KAFKA_SASL_USERNAME', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'p' }],
    ['KAFKA_SASL_PASSWORD', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }],
    [
      'KAFKA_SASL_PASSWORD_FILE',
      { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SASL_PASSWORD_FILE: CA },
    ],
    ['KAFKA_SASL_PASSWORD_FILE', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: MISSING }],
  ])('names %s when it is wrong: %j', (variable, env) => {
    expect(problemsOf(env)).toEqual([variable]);
  });

  it('names every bad variable at once', () => {
    expect(
      problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: MISSING, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }).sort(),
    ).toEqual(['KAFKA_SASL_PASSWORD', 'KAFKA_SSL_CA_FILE']);
  });

  it('says what is wrong with a file without printing its content', () => {
    expect(messageOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: MISSING })).toContain(
      `KAFKA_SSL_CA_FILE: file "${MISSING}" cannot be read (ENOENT)`,
    );
    expect(messageOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: KEY })).toContain(`KAFKA_SSL_CA_FILE: file "${KEY}" is not a PEM certificate`);
    expect(messageOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: CERT, KAFKA_SSL_KEY_FILE: OTHER_KEY })).toContain(
      'KAFKA_SSL_KEY_FILE: is not the private key of the certificate in KAFKA_SSL_CERT_FILE',
    );
  });

  it('takes the SASL password from the environment or from a file, ignoring the file’s final newline', () => {
    const fromEnv = loadConfig(['read-api'], {
      ...base,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(fromEnv.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 's3cret' });
    const file = fileWith('fr0m-file\n');
    const fromFile = loadConfig(['read-api'], {
      ...base,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD_FILE: file,
    });
    expect(fromFile.kafka.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'svc', password: 'fr0m-file', passwordFile: file });
  });

  it('refuses an empty password file and never prints a password', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: fileWith('\n') })).toEqual([
      'KAFKA_SASL_PASSWORD_FILE',
    ]);
    expect(messageOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'hunter2-secret' })).not.toContain('hunter2-secret');
  });

  it('gives the CLI and scripts the same settings and the same errors', () => {
    expect(
      loadKafkaSecurity({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: CA,
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toMatchObject({
      ssl: { caFile: CA },
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
    expect(loadKafkaSecurity({})).toEqual({ ssl: undefined, sasl: undefined });
    expect(() => loadKafkaSecurity({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: MISSING })).toThrow(/KAFKA_SSL_CA_FILE: file .* cannot be read/);
  });
});

describe('Postgres TLS in the connection strings', () => {
  const url = 'postgres://vinsight_api@db.internal:5432/vinsight';

  it('accepts sslmode=verify-full with a readable CA', () => {
    expect(problemsOf({ API_DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${CA}` })).toEqual([]);
    expect(problemsOf({ API_DATABASE_URL: `${url}?sslmode=disable` })).toEqual([]);
  });

  it.each(['no-verify', 'prefer', 'allow', 'sometimes'])('refuses sslmode=%s, which would not verify the server', (mode) => {
    expect(problemsOf({ API_DATABASE_URL: `${url}?sslmode=${mode}` })).toEqual(['API_DATABASE_URL']);
  });

  it('names the variable whose CA, certificate or key file is missing or not PEM', () => {
    expect(problemsOf({ REPLICA_DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${MISSING}` })).toEqual(['REPLICA_DATABASE_URL']);
    expect(messageOf({ API_DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${KEY}` })).toContain(
      `API_DATABASE_URL: sslrootcert file "${KEY}" is not a PEM certificate`,
    );
    expect(problemsOf({ API_DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${CA}&sslcert=${CERT}` })).toEqual(['API_DATABASE_URL']);
    expect(problemsOf({ API_DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${CA}&sslcert=${CERT}&sslkey=${CA}` })).toEqual([
      'API_DATABASE_URL',
    ]);
  });
});
