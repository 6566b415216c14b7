import { AppConfig, ServiceRole } from './app-config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PERSONAL_DATA_TEST_ENVIRONMENT, testKeyEncryptionKeyText, testPersonalDataKeys } from '../../personal-data/src/testing/test-keys';
import { ConfigError, loadConfig, loadPersonalDataKeys } from './config.loader';

const base = {
  ...PERSONAL_DATA_TEST_ENVIRONMENT,
  DATABASE_URL: 'postgres://vinsight_owner@127.0.0.1:5432/vinsight',
  API_DATABASE_URL: 'postgres://vinsight_api@127.0.0.1:5432/vinsight',
  PROJECTOR_DATABASE_URL: 'postgres://vinsight_projector@127.0.0.1:5432/vinsight',
};

function problemsOf(env: Record<string, string>, roles: ServiceRole[] = ['read-api']) {
  try {
    loadConfig(roles, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies defaults and converts types', () => {
    const config = loadConfig(['read-api'], { ...base, HTTP_PORT: '8080', KAFKA_BROKERS: 'a:1,b:2' });
    expect(config.http.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.kafka.topicPrefix).toBe('vinsight.');
    expect(config.kafka.partitions).toBe(12);
    expect(config.consistencyWaitMs).toBe(5000);
    expect(config.database.migrateOnStart).toBe(true);
  });

  it('names each bad variable in the error message', () => {
    const env = { ...base, HTTP_PORT: 'eighty', KAFKA_PARTITIONS: '0', MIGRATE_ON_START: 'maybe' };
    expect(() => loadConfig(['read-api'], env)).toThrow(/HTTP_PORT[\s\S]*KAFKA_PARTITIONS|KAFKA_PARTITIONS[\s\S]*HTTP_PORT/);
    expect(problemsOf(env).sort()).toEqual(['HTTP_PORT', 'KAFKA_PARTITIONS', 'MIGRATE_ON_START']);
  });

  it('gives the command processor a transaction linger of 50 ms by default, 0 to 1000 when set', () => {
    expect(loadConfig(['command-processor'], base).processor.transactionLingerMs).toBe(50);
    expect(loadConfig(['command-processor'], { ...base, PROCESSOR_TRANSACTION_LINGER_MS: '0' }).processor.transactionLingerMs).toBe(0);
    for (const bad of ['-1', '1001', 'soon']) {
      expect(problemsOf({ ...base, PROCESSOR_TRANSACTION_LINGER_MS: bad }, ['command-processor'])).toEqual([
        'PROCESSOR_TRANSACTION_LINGER_MS',
      ]);
    }
  });

  it.each([
    {
      name: 'PROCESSOR_REMEMBERED_RESULTS',
      role: 'command-processor',
      read: (c: AppConfig) => c.processor.rememberedResults,
      fallback: 100000,
      ok: '1000',
      bad: ['999', '1000001', 'many'],
    },
    {
      name: 'PROJECTOR_MAX_BUFFERED_RECORDS',
      role: 'projector',
      read: (c: AppConfig) => c.projector.maxBufferedRecords,
      fallback: 100000,
      ok: '5000',
      bad: ['999', '1000001', 'lots'],
    },
    {
      name: 'READ_API_RATE_LIMIT_MAX_BUCKETS',
      role: 'read-api',
      read: (c: AppConfig) => c.readApi.rateLimit.maxBuckets,
      fallback: 100000,
      ok: '2000',
      bad: ['999', '1000001', 'all'],
    },
    {
      name: 'STREAM_MAX_CONNECTIONS_PER_TENANT',
      role: 'read-api',
      read: (c: AppConfig) => c.readApi.stream.maxConnectionsPerTenant,
      fallback: 100,
      ok: '1000',
      bad: ['0', '100001', 'many'],
    },
    {
      name: 'STREAM_HEARTBEAT_MS',
      role: 'read-api',
      read: (c: AppConfig) => c.readApi.stream.heartbeatMs,
      fallback: 15000,
      ok: '500',
      bad: ['99', '300001', 'often'],
    },
    {
      name: 'STREAM_REPLAY_RECORDS',
      role: 'read-api',
      read: (c: AppConfig) => c.readApi.stream.replayRecords,
      fallback: 2000,
      ok: '0',
      bad: ['-1', '1000001', 'all'],
    },
    {
      name: 'JWT_CLOCK_TOLERANCE_SECONDS',
      role: 'read-api',
      read: (c: AppConfig) => c.readApi.jwt.clockToleranceSeconds,
      fallback: 30,
      ok: '5',
      bad: ['-1', '301', 'soon'],
    },
  ] as const)('bounds $name: $fallback by default, within its range when set', ({ name, role, read, fallback, ok, bad }) => {
    expect(read(loadConfig([role], base))).toBe(fallback);
    expect(read(loadConfig([role], { ...base, [name]: ok }))).toBe(Number(ok));
    for (const value of bad) expect(problemsOf({ ...base, [name]: value }, [role])).toEqual([name]);
  });

  it('requires the database URL of each role', () => {
    expect(problemsOf({ DATABASE_URL: base.DATABASE_URL }, ['read-api'])).toEqual(['API_DATABASE_URL']);
    expect(problemsOf({ DATABASE_URL: base.DATABASE_URL, ...PERSONAL_DATA_TEST_ENVIRONMENT }, ['projector'])).toEqual([
      'PROJECTOR_DATABASE_URL',
    ]);
  });

  describe('personal data keys', () => {
    const { DATA_KEY_ENCRYPTION_KEY: _kek, EMAIL_HASH_KEY: _hash, ...withoutKeys } = base;

    it('requires a KEK and an email hash key of the command processor and the projector, not of the read API', () => {
      for (const role of ['command-processor', 'projector'] as const) {
        expect(problemsOf(withoutKeys, [role])).toEqual(['DATA_KEY_ENCRYPTION_KEY', 'EMAIL_HASH_KEY']);
      }
      expect(problemsOf(withoutKeys, ['read-api'])).toEqual([]);
      expect(loadConfig(['read-api'], base).personalData).toBeUndefined();
      expect(loadConfig(['projector'], base).personalData?.keyRing.current.id).toBe('test-kek-1');
    });

    it('names the variable of a malformed key without echoing the key', () => {
      const bad = { ...base, DATA_KEY_ENCRYPTION_KEY: 'k1:c2hvcnQ=', EMAIL_HASH_KEY: 'c2hvcnQ=' };
      expect(problemsOf(bad, ['projector'])).toEqual(['DATA_KEY_ENCRYPTION_KEY', 'EMAIL_HASH_KEY']);
      expect(() => loadConfig(['projector'], bad)).toThrow(/DATA_KEY_ENCRYPTION_KEY: the key after ":" must be base64 of exactly 32 bytes/);
      expect(() => loadConfig(['projector'], bad)).not.toThrow(/c2hvcnQ/);
      expect(problemsOf({ ...base, DATA_KEY_ENCRYPTION_KEYS_PREVIOUS: 'nope' }, ['projector'])).toEqual([
        'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS',
      ]);
      expect(problemsOf({ ...base, DATA_KEY_ENCRYPTION_KEYS_PREVIOUS: testKeyEncryptionKeyText() }, ['projector'])).toEqual([
        'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS',
      ]);
    });

    it('reads keys from _FILE variables (a mounted Secret), never from both forms at once', () => {
      const dir = mkdtempSync(join(tmpdir(), 'vinsight-keys-'));
      const write = (name: string, text: string) => {
        writeFileSync(join(dir, name), `${text}\n`);
        return join(dir, name);
      };
      const files = {
        ...withoutKeys,
        DATA_KEY_ENCRYPTION_KEY_FILE: write('kek', testKeyEncryptionKeyText('kek-2')),
        DATA_KEY_ENCRYPTION_KEYS_PREVIOUS_FILE: write('previous', testKeyEncryptionKeyText('kek-1')),
        EMAIL_HASH_KEY_FILE: write('email', base.EMAIL_HASH_KEY),
      };
      const keys = loadConfig(['command-processor'], files).personalData!;
      expect(keys.keyRing.current.id).toBe('kek-2');
      expect(keys.emailHashKey).toEqual(testPersonalDataKeys().emailHashKey);
      expect(loadPersonalDataKeys(files).keyRing.current.id).toBe('kek-2');
      expect(problemsOf({ ...files, EMAIL_HASH_KEY: base.EMAIL_HASH_KEY }, ['projector'])).toEqual(['EMAIL_HASH_KEY_FILE']);
      expect(problemsOf({ ...files, DATA_KEY_ENCRYPTION_KEY_FILE: join(dir, 'missing') }, ['projector'])).toEqual([
        'DATA_KEY_ENCRYPTION_KEY_FILE',
      ]);
    });
  });

  it('requires the owner URL only when migrating at start-up', () => {
    expect(problemsOf({ API_DATABASE_URL: base.API_DATABASE_URL })).toEqual(['DATABASE_URL']);
    expect(problemsOf({ API_DATABASE_URL: base.API_DATABASE_URL, MIGRATE_ON_START: 'false' })).toEqual([]);
  });

  it('gives the read API a drain delay below the shutdown grace, and no delay to roles without it', () => {
    expect(loadConfig(['read-api'], base).shutdownDrainDelayMs).toBe(5000);
    expect(loadConfig(['read-api'], { ...base, SHUTDOWN_DRAIN_DELAY_MS: '0' }).shutdownDrainDelayMs).toBe(0);
    expect(loadConfig(['command-processor', 'projector', 'read-api'], base).shutdownDrainDelayMs).toBe(5000);
    expect(loadConfig(['projector'], base).shutdownDrainDelayMs).toBe(0);
    expect(problemsOf({ ...base, SHUTDOWN_GRACE_MS: '5000' })).toEqual(['SHUTDOWN_DRAIN_DELAY_MS']);
    expect(() => loadConfig(['read-api'], { ...base, SHUTDOWN_DRAIN_DELAY_MS: '9000', SHUTDOWN_GRACE_MS: '8000' })).toThrow(
      /SHUTDOWN_DRAIN_DELAY_MS: must be less than SHUTDOWN_GRACE_MS \(8000\) \(got "9000"\)/,
    );
    expect(problemsOf({ ...base, SHUTDOWN_DRAIN_DELAY_MS: '-1' })).toEqual(['SHUTDOWN_DRAIN_DELAY_MS']);
  });

  it('replicates topics once with one in-sync replica by default, as many as set for a cluster, never more in sync than replicas', () => {
    expect(loadConfig(['command-processor'], base).kafka).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
    const cluster = { ...base, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' };
    expect(loadConfig(['command-processor'], cluster).kafka).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(() => loadConfig(['command-processor'], { ...base, KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(
      /KAFKA_MIN_INSYNC_REPLICAS: must be at most KAFKA_REPLICATION_FACTOR \(1\) \(got "2"\)/,
    );
    for (const bad of ['0', 'two', '11'])
      expect(problemsOf({ ...base, KAFKA_MIN_INSYNC_REPLICAS: bad })).toEqual(['KAFKA_MIN_INSYNC_REPLICAS']);
  });

  it('rejects a malformed connection string and broker list', () => {
    expect(problemsOf({ ...base, REPLICA_DATABASE_URL: 'mysql://x' })).toEqual(['REPLICA_DATABASE_URL']);
    expect(problemsOf({ ...base, KAFKA_BROKERS: 'localhost' })).toEqual(['KAFKA_BROKERS']);
  });

  it('judges a partition stuck after 60 s by default, 1 to 86400 when set', () => {
    expect(loadConfig(['command-processor'], base).stuckPartitionSeconds).toBe(60);
    expect(loadConfig(['command-processor'], { ...base, READINESS_STUCK_PARTITION_SECONDS: '5' }).stuckPartitionSeconds).toBe(5);
    for (const bad of ['0', '86401', 'a minute']) {
      expect(problemsOf({ ...base, READINESS_STUCK_PARTITION_SECONDS: bad }, ['command-processor'])).toEqual([
        'READINESS_STUCK_PARTITION_SECONDS',
      ]);
    }
  });

  it('injects no fault unless a test asks for one, and validates the ones asked for', () => {
    expect(loadConfig(['projector'], base).faultInjection).toEqual({ exitInBatchAfterRecords: undefined, failPartition: undefined });
    const faults = loadConfig(['projector', 'command-processor'], {
      ...base,
      FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS: '500',
      FAULT_INJECTION_FAIL_PARTITION: '0',
    });
    expect(faults.faultInjection).toEqual({ exitInBatchAfterRecords: 500, failPartition: 0 });
    expect(problemsOf({ ...base, FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS: '0', FAULT_INJECTION_FAIL_PARTITION: '-1' }).sort()).toEqual([
      'FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS',
      'FAULT_INJECTION_FAIL_PARTITION',
    ]);
  });
});

describe('CORS_ALLOWED_ORIGINS', () => {
  const base = { API_DATABASE_URL: 'postgres://api@localhost/vinsight', MIGRATE_ON_START: 'false' };
  const origins = (value?: string) =>
    loadConfig(['read-api'], value === undefined ? base : { ...base, CORS_ALLOWED_ORIGINS: value }).http.corsAllowedOrigins;

  it('is off by default and takes * or a list of origins', () => {
    expect(origins()).toEqual([]);
    expect(origins('*')).toEqual(['*']);
    expect(origins('https://dash.example.com, http://localhost:5173')).toEqual(['https://dash.example.com', 'http://localhost:5173']);
  });

  it.each(['https://dash.example.com/', 'dash.example.com', 'ftp://x', '*,https://a.example', 'https://a.example,,https://b.example'])(
    'names the variable for %s',
    (value) => {
      expect(() => origins(value)).toThrow(/CORS_ALLOWED_ORIGINS: must be \* or a comma-separated list of origins/);
    },
  );
});
