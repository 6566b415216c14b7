import type { PersonalDataKeys } from '@vinsight/personal-data';
import type { KafkaSaslConfig, KafkaTlsConfig } from './security.settings';

export type ServiceRole = 'command-processor' | 'projector' | 'read-api' | 'migrate';

/** Typed settings, validated once at boot. The only shape the rest of the code sees. */
export interface AppConfig {
  roles: ServiceRole[];
  logLevel: string;
  /** corsAllowedOrigins: empty when CORS is off; ['*'] for any origin. */
  http: { host: string; port: number; corsAllowedOrigins: string[] };
  database: {
    ownerUrl?: string;
    projectorUrl?: string;
    apiUrl?: string;
    replicaUrl?: string;
    poolMax: number;
    statementTimeoutMs: number;
    migrateOnStart: boolean;
  };
  replication: { maxLagSeconds: number; maxLagBytes: number };
  kafka: {
    brokers: string[];
    clientId: string;
    topicPrefix: string;
    partitions: number;
    replicationFactor: number;
    /** `min.insync.replicas` of the topics the service creates. */
    minInsyncReplicas: number;
    /** TLS to the brokers (KAFKA_SSL*); unset: plaintext. */
    ssl?: KafkaTlsConfig;
    /** SASL authentication (KAFKA_SASL_*); unset: none. */
    sasl?: KafkaSaslConfig;
  };
  consistencyWaitMs: number;
  health: { checkTimeoutMs: number; heapMaxBytes: number; projectionLagMaxEvents: number };
  processor: { snapshotEveryEvents: number; transactionLingerMs: number; rememberedResults: number };
  projector: { maxBufferedRecords: number };
  readApi: {
    jwt: { hs256Secret?: string; jwksUrl?: string; issuer?: string; audience?: string; clockToleranceSeconds: number };
    rateLimit: { requestsPerSecond: number; burst: number; maxBuckets: number };
    stream: { maxConnectionsPerTenant: number; heartbeatMs: number; replayRecords: number };
  };
  shutdownGraceMs: number;
  /** Serving time between readiness turning 503 and the listener closing (0 for roles without the read API). */
  shutdownDrainDelayMs: number;
  /** Seconds a partition with input waiting may keep its committed offset before readiness fails. */
  stuckPartitionSeconds: number;
  /** KEKs and the email hash key (README, Personal data); set for the command processor and the projector. */
  personalData?: PersonalDataKeys;
  /** Test-only faults (see FAULT_INJECTION_* in environment.schema.ts); both unset in production. */
  faultInjection: { exitInBatchAfterRecords?: number; failPartition?: number };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
