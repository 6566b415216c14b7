import type { Kafka, KafkaMessage } from 'kafkajs';
import type { KafkaLogger } from '../kafka-logger';
import type { RetryBackoff } from '../retry-backoff';
import { KafkaTransactionSink, TransactionOutput, TransactionReceipt } from './kafka-transaction.sink';
import { PartitionPipeline } from './partition-pipeline';
import type { Slice, SliceProcessor } from './partition-pipeline.ports';

export type TransactionalPipeline = PartitionPipeline<KafkaMessage, TransactionOutput, TransactionReceipt>;

export interface TransactionalPipelineOptions {
  groupId: string;
  inputTopic: string;
  /** Transactional ids are `${transactionalIdPrefix}-${partition}`: one per input partition. */
  transactionalIdPrefix: string;
  processor: SliceProcessor<KafkaMessage, TransactionOutput, TransactionReceipt>;
  /** Upper bound of input messages per Kafka transaction. */
  maxMessagesPerTransaction: number;
  /**
   * A partition's next transaction starts no sooner than this many ms after its previous one
   * started, unless a full one is queued (0: at once). Each transaction costs the broker a fixed
   * amount of work whatever it carries, so under light load waiting a little for company costs
   * less latency than it saves.
   */
  lingerMs?: number;
  /** How many partitions are processed at the same time. */
  partitionsConcurrently: number;
  retryBackoff?: RetryBackoff;
  logger: KafkaLogger;
  /** After every committed transaction (metrics). */
  onCommitted?: (slice: Slice<KafkaMessage>, receipt: TransactionReceipt, durationMs: number) => void;
  /** Inside every transaction, just before its commit (test-only fault injection); throwing fails it. */
  beforeCommit?: (partition: number, inputMessages: number) => void;
}

/**
 * A member that crashed (broker gone past the consumer's retries) rejoins under a new member id,
 * and the group waits for the old one's session to expire before it assigns any partition: the
 * session bounds how soon partitions (and readiness) come back after a broker restart. 6 s is the
 * broker's minimum (group.min.session.timeout.ms); heartbeats every second (eachBatch only
 * queues, so they are never held up by processing).
 */
export const PROCESSOR_SESSION_TIMEOUT_MS = 6000;

/**
 * Patient enough (about two minutes) that a broker restart does not crash the consumer, which
 * then keeps its member id and needs no rejoin; tries at most 2 s apart, so it notices the
 * broker's return within 2 s instead of after a back-off grown to KafkaJS's 30 s bound.
 */
export const CONSUMER_RETRY = { initialRetryTime: 100, maxRetryTime: 2000, retries: 60 };

/**
 * The partition pipeline over one input topic with the Kafka transaction sink: the command
 * processor's exactly-once consume-transform-produce loop.
 */
export function transactionalPipeline(kafka: Kafka, options: TransactionalPipelineOptions): TransactionalPipeline {
  const { groupId, inputTopic } = options;
  return new PartitionPipeline(kafka, {
    groupId,
    topics: [inputTopic],
    consumer: {
      maxBytesPerPartition: 2 * 1024 * 1024,
      // A fetch is answered as soon as a command is readable (minBytes 1): the wait bounds only the
      // empty round trips of an idle processor, which cost CPU and buy nothing.
      maxWaitTimeInMs: 500,
      sessionTimeout: PROCESSOR_SESSION_TIMEOUT_MS,
      heartbeatInterval: 1000,
      retry: CONSUMER_RETRY,
    },
    // Loading a partition's state happens inside eachBatch: partitions load side by side.
    partitionsConsumedConcurrently: options.partitionsConcurrently,
    decode: (_partition, message) => message,
    offsetOf: (message) => BigInt(message.offset),
    processor: options.processor,
    sink: new KafkaTransactionSink(kafka, {
      groupId,
      inputTopic,
      transactionalIdPrefix: options.transactionalIdPrefix,
      beforeCommit: options.beforeCommit,
    }),
    maxSliceRecords: options.maxMessagesPerTransaction,
    lingerMs: options.lingerMs,
    maxQueuedPerPartition: 2 * options.maxMessagesPerTransaction,
    retryBackoff: options.retryBackoff,
    // Queued commands are left to the partition's next owner: leaving the group sooner hands them over sooner.
    drainOnStop: 'in-flight',
    logger: options.logger,
    onWritten: options.onCommitted,
  });
}
