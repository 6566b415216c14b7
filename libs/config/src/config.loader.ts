import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvironmentName, EnvironmentVariables } from './environment.schema';
import type { PersonalDataKeys } from '@vinsight/personal-data';
import { AppConfig, ServiceRole } from './app-config';
import { PERSONAL_DATA_VARIABLES, personalDataKeys } from './personal-data.settings';
import { ConfigError } from './config-error';
import { KafkaSecurityConfig, kafkaSecurity, postgresTlsProblems } from './security.settings';

export { ConfigError } from './config-error';
export { loadKafkaSecurity } from './kafka-security.loader';

const REQUIRED_BY_ROLE: Record<ServiceRole, EnvironmentName[]> = {
  'command-processor': ['PROJECTOR_DATABASE_URL'],
  projector: ['PROJECTOR_DATABASE_URL'],
  'read-api': ['API_DATABASE_URL'],
  migrate: ['DATABASE_URL'],
};

const KNOWN = new Set(
  Object.keys(new EnvironmentVariables()).concat(
    'DATABASE_URL',
    'PROJECTOR_DATABASE_URL',
    'API_DATABASE_URL',
    'REPLICA_DATABASE_URL',
    'JWT_HS256_SECRET',
    'JWT_JWKS_URL',
    'JWT_ISSUER',
    'JWT_AUDIENCE',
  ),
);
KNOWN.add('FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS').add('FAULT_INJECTION_FAIL_PARTITION');
for (const name of [
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  ...PERSONAL_DATA_VARIABLES,
]) {
  KNOWN.add(name);
}

export function environmentVariableNames(): string[] {
  return [...KNOWN].sort();
}

/** Validates the environment once for the given roles and returns typed settings. */
export function loadConfig(roles: ServiceRole[], env: Record<string, string | undefined> = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const name of KNOWN) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const vars = plainToInstance(EnvironmentVariables, raw);
  const problems = validateSync(vars, { forbidUnknownValues: true }).map((error) => ({
    variable: error.property,
    message: `${Object.values(error.constraints ?? {})
      .map((message) => message.replace(error.property + ' ', ''))
      .join('; ')} (got ${JSON.stringify(raw[error.property])})`,
  }));
  // Files are read only once the variables naming them are well-formed.
  let security: KafkaSecurityConfig = {};
  if (!problems.some((p) => /^KAFKA_S(SL|ASL)/.test(p.variable))) security = kafkaSecurity(vars, problems);
  if (!problems.some((p) => /DATABASE_URL$/.test(p.variable))) postgresTlsProblems(vars, problems);
  // The roles that seal or open users' personal data need its keys; the read API never sees them.
  const needsKeys = roles.includes('command-processor') || roles.includes('projector');
  const personalData = needsKeys ? personalDataKeys(raw, problems) : undefined;
  const migrates = vars.MIGRATE_ON_START === true;
  const required = new Set(roles.flatMap((role) => REQUIRED_BY_ROLE[role]));
  if (migrates && roles.some((r) => r !== 'migrate')) required.add('DATABASE_URL');
  for (const name of required) {
    if (raw[name] === undefined) {
      problems.push({
        variable: name,
        message: `is required for ${roles.join(', ')}${name === 'DATABASE_URL' ? ' (or set MIGRATE_ON_START=false)' : ''}`,
      });
    }
  }
  // The drain delay comes out of the pod's termination grace period before the grace of the
  // close itself; one not shorter than the grace is a misconfiguration, never silently cut.
  if (problems.length === 0 && vars.SHUTDOWN_DRAIN_DELAY_MS >= vars.SHUTDOWN_GRACE_MS) {
    problems.push({
      variable: 'SHUTDOWN_DRAIN_DELAY_MS',
      message: `must be less than SHUTDOWN_GRACE_MS (${vars.SHUTDOWN_GRACE_MS}) (got ${JSON.stringify(raw.SHUTDOWN_DRAIN_DELAY_MS ?? String(vars.SHUTDOWN_DRAIN_DELAY_MS))})`,
    });
  }
  // More in-sync replicas than replicas would refuse every write with NOT_ENOUGH_REPLICAS.
  if (problems.length === 0 && vars.KAFKA_MIN_INSYNC_REPLICAS > vars.KAFKA_REPLICATION_FACTOR) {
    problems.push({
      variable: 'KAFKA_MIN_INSYNC_REPLICAS',
      message: `must be at most KAFKA_REPLICATION_FACTOR (${vars.KAFKA_REPLICATION_FACTOR}) (got ${JSON.stringify(raw.KAFKA_MIN_INSYNC_REPLICAS ?? String(vars.KAFKA_MIN_INSYNC_REPLICAS))})`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...toAppConfig(roles, vars, security), ...(personalData && { personalData }) };
}

function toAppConfig(roles: ServiceRole[], v: EnvironmentVariables, security: KafkaSecurityConfig): AppConfig {
  return {
    roles,
    logLevel: v.LOG_LEVEL,
    http: {
      host: v.HTTP_HOST,
      port: v.HTTP_PORT,
      corsAllowedOrigins: (v.CORS_ALLOWED_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    },
    database: {
      ownerUrl: v.DATABASE_URL,
      projectorUrl: v.PROJECTOR_DATABASE_URL,
      apiUrl: v.API_DATABASE_URL,
      replicaUrl: v.REPLICA_DATABASE_URL,
      poolMax: v.DATABASE_POOL_MAX,
      statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
      migrateOnStart: v.MIGRATE_ON_START,
    },
    replication: { maxLagSeconds: v.REPLICATION_LAG_MAX_SECONDS, maxLagBytes: v.REPLICATION_LAG_MAX_BYTES },
    kafka: {
      brokers: v.KAFKA_BROKERS.split(',').map((b) => b.trim()),
      clientId: v.KAFKA_CLIENT_ID,
      topicPrefix: v.KAFKA_TOPIC_PREFIX,
      partitions: v.KAFKA_PARTITIONS,
      replicationFactor: v.KAFKA_REPLICATION_FACTOR,
      minInsyncReplicas: v.KAFKA_MIN_INSYNC_REPLICAS,
      ...(security.ssl ? { ssl: security.ssl } : {}),
      ...(security.sasl ? { sasl: security.sasl } : {}),
    },
    consistencyWaitMs: v.CONSISTENCY_WAIT_MS,
    health: {
      checkTimeoutMs: v.HEALTH_CHECK_TIMEOUT_MS,
      heapMaxBytes: v.LIVENESS_HEAP_MAX_MB * 1024 * 1024,
      projectionLagMaxEvents: v.PROJECTION_LAG_MAX_EVENTS,
    },
    processor: {
      snapshotEveryEvents: v.PROCESSOR_SNAPSHOT_EVERY_EVENTS,
      transactionLingerMs: v.PROCESSOR_TRANSACTION_LINGER_MS,
      rememberedResults: v.PROCESSOR_REMEMBERED_RESULTS,
    },
    projector: { maxBufferedRecords: v.PROJECTOR_MAX_BUFFERED_RECORDS },
    readApi: {
      jwt: {
        hs256Secret: v.JWT_HS256_SECRET,
        jwksUrl: v.JWT_JWKS_URL,
        issuer: v.JWT_ISSUER,
        audience: v.JWT_AUDIENCE,
        clockToleranceSeconds: v.JWT_CLOCK_TOLERANCE_SECONDS,
      },
      rateLimit: {
        requestsPerSecond: v.READ_API_RATE_LIMIT_PER_SECOND,
        burst: v.READ_API_RATE_LIMIT_BURST,
        maxBuckets: v.READ_API_RATE_LIMIT_MAX_BUCKETS,
      },
      stream: {
        maxConnectionsPerTenant: v.STREAM_MAX_CONNECTIONS_PER_TENANT,
        heartbeatMs: v.STREAM_HEARTBEAT_MS,
        replayRecords: v.STREAM_REPLAY_RECORDS,
      },
    },
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    // Only the read API has a Service (and so endpoints to leave) in front of it.
    shutdownDrainDelayMs: roles.includes('read-api') ? v.SHUTDOWN_DRAIN_DELAY_MS : 0,
    stuckPartitionSeconds: v.READINESS_STUCK_PARTITION_SECONDS,
    faultInjection: {
      exitInBatchAfterRecords: v.FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS,
      failPartition: v.FAULT_INJECTION_FAIL_PARTITION,
    },
  };
}

/**
 * The personal-data keys of a role that seals or opens personal data. loadConfig refuses to start
 * such a role without them, so their absence here is a programming error (a role composed with
 * another role's configuration).
 */
export function personalDataKeysOf(config: AppConfig): PersonalDataKeys {
  if (!config.personalData)
    throw new Error(`no personal data keys loaded for roles ${config.roles.join(', ')} (DATA_KEY_ENCRYPTION_KEY, EMAIL_HASH_KEY)`);
  return config.personalData;
}

/** Only the personal-data keys, validated as loadConfig validates them: for scripts that rebuild read models in process. */
export function loadPersonalDataKeys(env: Readonly<Record<string, string | undefined>> = process.env): PersonalDataKeys {
  const raw: Record<string, string> = {};
  for (const name of PERSONAL_DATA_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const problems: { variable: string; message: string }[] = [];
  const keys = personalDataKeys(raw, problems);
  if (!keys) throw new ConfigError(problems);
  return keys;
}
