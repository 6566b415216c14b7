import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/;
const ORIGIN = String.raw`https?://[A-Za-z0-9.-]+(:\d{1,5})?`;
const CORS_ORIGINS = new RegExp(String.raw`^(\*|${ORIGIN}(\s*,\s*${ORIGIN})*)$`);
const BROKER_LIST = /^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/;

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value);
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};

/**
 * Every environment variable the service reads, with its default. README.md's configuration
 * table and docker-compose.yml are checked against this class by tests, so keep the three in step.
 * Which variables are required depends on the role (see config.loader.ts).
 */
export class EnvironmentVariables {
  @IsIn(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  LOG_LEVEL = 'info';

  @IsString()
  @MinLength(1)
  HTTP_HOST = '0.0.0.0';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT = 3000;

  /**
   * Browser origins allowed to call the read API (CORS), comma-separated
   * (`https://dash.example.com,http://localhost:5173`), or `*` for any; unset: no CORS headers,
   * and a browser on another origin cannot read the answers.
   */
  @IsOptional()
  @Matches(CORS_ORIGINS, {
    message: 'must be * or a comma-separated list of origins such as https://dash.example.com (scheme, host, optional port; no path)',
  })
  CORS_ALLOWED_ORIGINS?: string;

  /** Owner role: runs the migrations. */
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// connection string' })
  DATABASE_URL?: string;

  /** Trusted cross-tenant writer: projector, and the command processor's slug reservations. */
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// connection string' })
  PROJECTOR_DATABASE_URL?: string;

  /** SELECT-only role of the read API, always under row-level security. */
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// connection string' })
  API_DATABASE_URL?: string;

  /** Optional streaming replica, read by the API while its lag is under the limits. */
  @IsOptional()
  @Matches(POSTGRES_URL, { message: 'must be a postgres:// connection string' })
  REPLICA_DATABASE_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DATABASE_POOL_MAX = 10;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  DATABASE_STATEMENT_TIMEOUT_MS = 15000;

  @Transform(toBool)
  @IsBoolean()
  MIGRATE_ON_START = true;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  REPLICATION_LAG_MAX_SECONDS = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  REPLICATION_LAG_MAX_BYTES = 16 * 1024 * 1024;

  @Matches(BROKER_LIST, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  @MinLength(1)
  KAFKA_CLIENT_ID = 'vinsight-core';

  @Matches(/^[a-zA-Z0-9._-]{0,100}$/, { message: 'may contain only letters, digits, ".", "_" and "-"' })
  KAFKA_TOPIC_PREFIX = 'vinsight.';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  KAFKA_PARTITIONS = 12;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  KAFKA_REPLICATION_FACTOR = 1;

  /**
   * TLS to every broker. Without KAFKA_SSL_CA_FILE the broker's certificate must chain to a CA
   * Node trusts by default (a managed service's public CA).
   */
  @Transform(toBool)
  @IsBoolean()
  KAFKA_SSL = false;

  /** PEM file of the CA(s) that signed the brokers' certificates (read and checked at boot). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  KAFKA_SSL_CA_FILE?: string;

  /** Mutual TLS: PEM client certificate, together with KAFKA_SSL_KEY_FILE. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  KAFKA_SSL_CERT_FILE?: string;

  /** Mutual TLS: PEM private key (unencrypted) of KAFKA_SSL_CERT_FILE. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  KAFKA_SSL_KEY_FILE?: string;

  /** SASL authentication to the brokers; unset: none. */
  @IsOptional()
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'])
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @IsOptional()
  @IsString()
  @MinLength(1)
  KAFKA_SASL_USERNAME?: string;

  /** The SASL password itself; or KAFKA_SASL_PASSWORD_FILE, never both. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  KAFKA_SASL_PASSWORD?: string;

  /** A file holding the SASL password (a mounted Kubernetes Secret); one trailing newline is ignored. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  KAFKA_SASL_PASSWORD_FILE?: string;

  /**
   * The key-encryption key (KEK) that wraps every new per-user data key, `<id>:<base64 of 32
   * bytes>`; or DATA_KEY_ENCRYPTION_KEY_FILE. Required by the command processor and the projector
   * (README, Personal data).
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_KEY_ENCRYPTION_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_KEY_ENCRYPTION_KEY_FILE?: string;

  /** Earlier KEKs, comma-separated `<id>:<base64>`: data keys they wrapped still unwrap (rotation). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_KEY_ENCRYPTION_KEYS_PREVIOUS?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  DATA_KEY_ENCRYPTION_KEYS_PREVIOUS_FILE?: string;

  /** Key of the HMAC-SHA-256 email hash that email uniqueness is decided on, base64 of at least 32 bytes; or EMAIL_HASH_KEY_FILE. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  EMAIL_HASH_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  EMAIL_HASH_KEY_FILE?: string;

  /**
   * `min.insync.replicas` of the topics the service creates: with producers' acks=all, a write
   * succeeds only once this many replicas have it (2 with a replication factor of 3: one broker
   * may be lost without losing or refusing a write). At most KAFKA_REPLICATION_FACTOR (checked by
   * the loader).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  KAFKA_MIN_INSYNC_REPLICAS = 1;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  CONSISTENCY_WAIT_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  HEALTH_CHECK_TIMEOUT_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  SHUTDOWN_GRACE_MS = 25000;

  /**
   * On SIGTERM, how long a process serving the read API keeps answering (readiness 503) before it
   * stops listening: Kubernetes removes a terminating pod from its Service endpoints a few seconds
   * after the signal, and requests routed here meanwhile must not be refused. Must stay below
   * SHUTDOWN_GRACE_MS (checked by the loader).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  SHUTDOWN_DRAIN_DELAY_MS = 5000;

  /** HS256 secret for JWTs whose `tenant_id` claim names the tenant; unset: no HS256 JWTs. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_HS256_SECRET?: string;

  /** JWKS URL for RS256 JWTs; unset: no RS256 JWTs. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  JWT_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  /** Seconds of clock difference allowed when checking a JWT's exp and nbf. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  JWT_CLOCK_TOLERANCE_SECONDS = 30;

  /** Sustained read API requests per second per credential; 0 turns rate limiting off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  READ_API_RATE_LIMIT_PER_SECOND = 50;

  /** Requests a credential may send at once after being idle. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  READ_API_RATE_LIMIT_BURST = 100;

  /**
   * Token buckets the read API keeps, one per credential recently seen (about 570 bytes each:
   * 100,000 = 57 MB); beyond it, buckets that have refilled are dropped, then all of them.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(1000000)
  READ_API_RATE_LIMIT_MAX_BUCKETS = 100000;

  /** GET /v1/stream: streams one tenant may hold open on one read API process; beyond it 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  STREAM_MAX_CONNECTIONS_PER_TENANT = 100;

  /** GET /v1/stream: interval of the heartbeat comment lines, in milliseconds. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(300000)
  STREAM_HEARTBEAT_MS = 15000;

  /** GET /v1/stream: released records kept per partition for reconnecting clients (older positions are read from Kafka). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000000)
  STREAM_REPLAY_RECORDS = 2000;

  /** The command processor snapshots a partition's write model after this many events. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PROCESSOR_SNAPSHOT_EVERY_EVENTS = 100000;

  /**
   * A partition starts its next Kafka transaction no sooner than this many ms after the previous
   * one started, unless a full transaction's worth of commands is waiting (the producer's
   * linger.ms, one level up): fewer, larger transactions under light load. 0 starts at once.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  PROCESSOR_TRANSACTION_LINGER_MS = 50;

  /**
   * Command results each partition remembers for commandId idempotency (about 90 bytes each,
   * allocated when the partition is loaded: 100,000 on 12 partitions = 109 MB).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(1000000)
  PROCESSOR_REMEMBERED_RESULTS = 100000;

  /**
   * Fetched records the projector holds before it stops fetching (about 1.4 KB each with the
   * fetched bytes they point into: 100,000 = 140 MB), reached only while Postgres is slower than Kafka.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(1000000)
  PROJECTOR_MAX_BUFFERED_RECORDS = 100000;

  /** Readiness fails when a projection is more than this many events behind on a partition. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  PROJECTION_LAG_MAX_EVENTS = 10000;

  /** Liveness fails when the V8 heap exceeds this many MiB. */
  @Transform(toInt)
  @IsInt()
  @Min(64)
  LIVENESS_HEAP_MAX_MB = 1536;

  /**
   * Readiness fails when a partition this process consumes has input waiting and its committed
   * offset (the projector: its checkpoint) has not moved for this many seconds.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  READINESS_STUCK_PARTITION_SECONDS = 60;

  /**
   * Tests only, never set in production: the projector or command processor kills itself
   * (SIGKILL) inside the batch in which the input records it has handled since start reach this
   * number, after the batch's work is written and before it commits. Crash tests kill with it at
   * a point they choose instead of hunting for a batch in flight.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS?: number;

  /**
   * Tests only, never set in production: every Kafka transaction of the command processor on
   * this input partition fails before its commit, so the partition is stuck.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(9999)
  FAULT_INJECTION_FAIL_PARTITION?: number;
}

export type EnvironmentName = keyof EnvironmentVariables;
