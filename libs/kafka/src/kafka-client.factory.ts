// Before KafkaJS: see partition-grouping.ts.
import './partition-grouping';
import { Kafka, KafkaConfig, logLevel as KafkaLogLevel, RetryOptions, SASLOptions } from 'kafkajs';
import { crc32c } from './crc32c';
import { installCoordinatorCache } from './coordinator-cache';
import { installEvictedMemberRejoin } from './evicted-member-rejoin';
import { installTransactionPartitionsRetry } from './transaction-partitions';
import { KafkaLogger, kafkaLogCreator } from './kafka-logger';
import { KafkaConnectionSettings } from './kafka.settings';
import { installRecordDecoding } from './record-decoding';
import { installRecordEncoding } from './record-encoding';
import { installStaleResponseReset } from './stale-response-reset';

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
 * that much to every transaction of the command processor. No wait is longer than 2 s: when the
 * retries run out, KafkaJS restarts a crashed consumer after the last wait, which with KafkaJS's
 * 30 s cap reached 16 s and kept a projector's consumer away for 16 s after its broker was back
 * (chaos run: readiness 15.6 s after a broker's kill -9). Twelve retries keep the overall patience
 * (about 15 s) close to KafkaJS's default.
 */
const RETRY = { initialRetryTime: 50, maxRetryTime: 2000, retries: 12 };

/**
 * How long a connection (TCP, then TLS) may take before KafkaJS gives up on it: Java clients'
 * default (socket.connection.setup.timeout.ms), not KafkaJS's 1 s. KafkaJS times the connect with
 * a timer, and after an event-loop stall longer than that (a busy or starved process) the timer
 * runs before the socket's connect event, however fast the broker was: the connect fails, and
 * KafkaJS goes on writing to the socket it has ended ("write after end"), which crashes a consumer
 * and fails the partitions' loads after every broker restart. A TLS handshake to a remote cluster
 * needs more than 1 s at times too. A broker that is down refuses at once whatever the timeout.
 */
export const CONNECTION_TIMEOUT_MS = 10_000;

/** The one place a KafkaJS client is built, so TLS and SASL reach every client of the service. */
export function createKafkaClient(settings: KafkaConnectionSettings, options: KafkaClientOptions = {}): Kafka {
  installCoordinatorCache();
  installTransactionPartitionsRetry();
  installRecordEncoding(crc32c);
  installRecordDecoding();
  installStaleResponseReset();
  installEvictedMemberRejoin();
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    retry: options.retry ?? RETRY,
    logLevel: options.logLevel ?? KafkaLogLevel.INFO,
    ...(options.logger ? { logCreator: kafkaLogCreator(options.logger) } : {}),
    connectionTimeout: options.timeoutMs ?? CONNECTION_TIMEOUT_MS,
    ...(options.timeoutMs !== undefined ? { requestTimeout: options.timeoutMs } : {}),
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
