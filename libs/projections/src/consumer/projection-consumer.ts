import type { Consumer, Kafka } from 'kafkajs';
import { KafkaLogger, PartitionPipeline, Slice } from '@vinsight/kafka';
import { BatchResult, BatchRunner } from '../apply/batch-runner';
import { DecodedRecord, decodeRecord } from '../events/decode-event';
import { FetchedSourceRecord } from '../events/source-record';
import { CheckpointSink } from './checkpoint.sink';

export const CONSUMER_SESSION_TIMEOUT_MS = 6000;

export interface ProjectionConsumerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionConsumerOptions {
  groupId: string;
  topics: string[];
  /** Batch transactions running at the same time (default 3). */
  concurrency?: number;
  /** Bytes of one fetch per partition (default 256 KiB: KafkaJS decodes small fetches fastest). */
  maxBytesPerPartition?: number;
  /** Records of one partition applied in one transaction at most; a full batch is applied at once (default 20000). */
  maxBatchRecords?: number;
  /**
   * A partition's batches start at least this many ms apart (default 20): under load records
   * gather while the previous batch is applied and waits out the spacing; a record reaching an
   * idle partition is applied at once, so at a fleet's steady rate it waits for no company.
   */
  lingerMs?: number;
  /**
   * Records buffered across partitions before fetching waits for the database (default 100000).
   * Records wait in the buffer until their batch has a transaction, so this bounds them all.
   */
  maxBufferedRecords?: number;
  logger: ProjectionConsumerLogger;
  /** Called after each committed batch. */
  onBatch?: (topic: string, partition: number, result: BatchResult, durationMs: number) => void;
}

/**
 * Reads `events` and `check-events` with read_committed (only records of committed Kafka
 * transactions) and applies them through the BatchRunner: the partition pipeline with the
 * checkpoint sink. Records are decoded as they arrive, so KafkaJS's message objects and the
 * envelopes of check results die young instead of waiting in the queue for their batch (far less
 * garbage collection); a record queued but not applied when the process dies is simply fetched
 * again from the checkpoint.
 */
export class ProjectionConsumer {
  private readonly pipeline: PartitionPipeline<DecodedRecord, Slice<DecodedRecord>, BatchResult>;

  constructor(kafka: Kafka, runner: BatchRunner, options: ProjectionConsumerOptions) {
    this.pipeline = new PartitionPipeline(kafka, {
      groupId: options.groupId,
      topics: options.topics,
      consumer: {
        maxBytesPerPartition: options.maxBytesPerPartition ?? 256 * 1024,
        maxBytes: 8 * 1024 * 1024,
        maxWaitTimeInMs: 100,
        // A member killed without leaving holds its partitions until its session expires: a short
        // session lets a restarted projector (or another member) take them over within seconds.
        sessionTimeout: CONSUMER_SESSION_TIMEOUT_MS,
        rebalanceTimeout: 20000,
        heartbeatInterval: 1000,
        // Tries at most 2 s apart: it resumes within 2 s of a broker's return (see CONSUMER_RETRY).
        retry: { initialRetryTime: 300, maxRetryTime: 2000, retries: 60 },
      },
      partitionsConsumedConcurrently: 3,
      decode: ({ topic, partition }, m) => decodeRecord(new FetchedSourceRecord(topic, partition, m), runner.upcastContext),
      offsetOf: (decoded) => decoded.record.offset,
      // The records are the output: applying them is the sink's transaction.
      processor: { process: async (slice) => slice },
      sink: new CheckpointSink(runner),
      maxSliceRecords: options.maxBatchRecords ?? 20000,
      lingerMs: options.lingerMs ?? 20,
      maxConcurrentSlices: options.concurrency ?? 3,
      maxQueuedRecords: options.maxBufferedRecords ?? 100000,
      // Fetched records are applied before the group is left: the next owner need not fetch them again.
      drainOnStop: 'queued',
      logger: kafkaLoggerOf(options.logger),
      onWritten: (slice, result, durationMs) => options.onBatch?.(slice.topic, slice.partition, result, durationMs),
    });
  }

  /** The KafkaJS consumer, for health tracking (a stalled one is replaced: see `onConsumerReplaced`). */
  get kafkaConsumer(): Consumer {
    return this.pipeline.groupConsumer;
  }

  onConsumerReplaced(listener: (consumer: Consumer) => void): void {
    this.pipeline.onConsumerReplaced(listener);
  }

  /** Set when KafkaJS gave up on the consumer (a crash it does not restart from): nothing is fetched any more. */
  get fatalError(): Error | null {
    return this.pipeline.fatalError;
  }

  get isJoined(): boolean {
    return this.pipeline.isJoined;
  }

  start(): Promise<void> {
    return this.pipeline.start();
  }

  /** Applies what was already fetched, then leaves the group. */
  stop(): Promise<void> {
    return this.pipeline.stop();
  }
}

function kafkaLoggerOf(logger: ProjectionConsumerLogger): KafkaLogger {
  return {
    error: (_context, message) => logger.error(message),
    warn: (_context, message) => logger.warn(message),
    info: (_context, message) => logger.log(message),
    debug: () => undefined,
  };
}
