import { Kafka, KafkaConfig, logLevel as KafkaLogLevel, RetryOptions, SASLOptions } from 'kafkajs';
import { installCoordinatorCache } from './coordinator-cache';
import { KafkaLogger, kafkaLogCreator } from './kafka-logger';
import { KafkaConnectionSettings } from './kafka.settings';

export interface KafkaClientOptions {
  /** Where KafkaJS logs go; without one, KafkaJS's own console logger is used. */
  logger?: KafkaLogger;
  /** The most detailed level KafkaJS produces at all (default INFO). */
  logLevel?: KafkaLogLevel;
  /** Bounds connecting and every request (probes that must answer in time); KafkaJS's defaults otherwise. */
  timeoutMs?: number;
  /** Replaces the client's retry policy (a probe retries nothing). */
  retry?: RetryOptions;
}

/**
 * Retries start at 50 ms instead of KafkaJS's 300 ms: right after a transaction commits, the
 * broker answers the next transaction's AddPartitionsToTxn with CONCURRENT_TRANSACTIONS for the
 * few milliseconds it takes to write the commit markers, and a 300 ms first back-off would add
 * that much to every transaction of the command processor. Eight retries keep the overall
 * patience (about 12 s) close to KafkaJS's default.
 */
const RETRY = { initialRetryTime: 50, retries: 8 };

/** The one place a KafkaJS client is built, so TLS and SASL reach every client of the service. */
export function createKafkaClient(settings: KafkaConnectionSettings, options: KafkaClientOptions = {}): Kafka {
  installCoordinatorCache();
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    retry: options.retry ?? RETRY,
    logLevel: options.logLevel ?? KafkaLogLevel.INFO,
    ...(options.logger ? { logCreator: kafkaLogCreator(options.logger) } : {}),
    ...(options.timeoutMs !== undefined ? { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs } : {}),
  };
  if (settings.ssl) {
    const { ca, cert, key } = settings.ssl;
    // Only what was configured: an explicit `ca: undefined` would still replace Node's trust store.
    config.ssl = { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
  }
  if (settings.sasl) {
    const { mechanism, username, password } = settings.sasl;
    config.sasl = { mechanism, username, password } as SASLOptions;
  }
  return new Kafka(config);
}
