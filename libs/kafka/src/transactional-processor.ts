import { Consumer, Kafka, KafkaMessage, Message, Producer, Transaction } from 'kafkajs';
import { KafkaLogger } from './kafka-logger';

export interface OutputMessages {
  topic: string;
  messages: Message[];
}

/** What a handler made of a slice of consumed messages, held until the transaction's outcome is known. */
export interface PendingWork {
  output: OutputMessages[];
  /** The transaction committed: make the working state the real state. */
  committed(produced: ProducedOffsets): void;
  /** The transaction failed: forget everything this work changed. */
  discarded(): void;
}

/** Next offset after the last record this transaction wrote, per topic, for the input partition's key space. */
export type ProducedOffsets = Map<string, bigint>;

export interface PartitionHandler {
  /** Called once per assignment, after older producers of this partition were fenced, before its first batch. */
  assigned(partition: number): Promise<void>;
  revoked(partition: number): void;
  handle(partition: number, messages: KafkaMessage[]): Promise<PendingWork>;
}

export interface TransactionalProcessorOptions {
  groupId: string;
  inputTopic: string;
  /** Transactional ids are `${transactionalIdPrefix}-${partition}`: one per input partition (KafkaJS's fencing advice). */
  transactionalIdPrefix: string;
  /** Upper bound of input messages per Kafka transaction. */
  maxMessagesPerTransaction: number;
  logger: KafkaLogger;
}

/**
 * Consume-transform-produce with exactly-once effects: for every slice of a consumed batch, the
 * handler's output and the consumer's next offset are written in ONE Kafka transaction
 * (`sendOffsets`). If anything fails the transaction is aborted, the handler discards its working
 * state, and the error goes back to KafkaJS, which restarts the consumer from the committed offsets.
 *
 * One transactional producer per input partition: when a partition moves to another instance,
 * the new owner's `initTransactions` fences the old one, whose next commit then fails.
 */
export class TransactionalProcessor {
  private readonly consumer: Consumer;
  private readonly producers = new Map<number, Producer>();
  private readonly ready = new Set<number>();
  private joined = false;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly handler: PartitionHandler,
    private readonly options: TransactionalProcessorOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      retry: { retries: 5, initialRetryTime: 100 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      const assigned = new Set(payload.memberAssignment[options.inputTopic] ?? []);
      for (const partition of [...this.ready]) if (!assigned.has(partition)) void this.release(partition);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      options.logger.error(`command consumer crashed: ${payload.error.message}`, { restart: payload.restart });
      // State may be ahead of what was committed when a batch failed; rebuild on the next assignment.
      for (const partition of [...this.ready]) void this.release(partition);
    });
  }

  get isJoined(): boolean {
    return this.joined && !this.stopping;
  }

  get assignedPartitions(): number[] {
    return [...this.ready];
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.inputTopic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const partition = batch.partition;
        const producer = await this.prepare(partition);
        const size = this.options.maxMessagesPerTransaction;
        for (let start = 0; start < batch.messages.length; start += size) {
          if (!isRunning() || isStale()) return;
          const slice = batch.messages.slice(start, start + size);
          await this.processSlice(producer, partition, slice);
          resolveOffset(slice[slice.length - 1].offset);
          await heartbeat();
        }
      },
    });
  }

  /** Finishes the in-flight slice, leaves the group, closes the producers. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
    await Promise.all([...this.producers.keys()].map((p) => this.release(p)));
  }

  private async prepare(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      producer = this.kafka.producer({
        transactionalId: `${this.options.transactionalIdPrefix}-${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60000,
      });
      this.producers.set(partition, producer);
      await producer.connect();
    }
    if (!this.ready.has(partition)) {
      await this.handler.assigned(partition);
      this.ready.add(partition);
    }
    return producer;
  }

  private async processSlice(producer: Producer, partition: number, slice: KafkaMessage[]) {
    const work = await this.handler.handle(partition, slice);
    let transaction: Transaction | undefined;
    try {
      transaction = await producer.transaction();
      const metadata = work.output.length > 0 ? await transaction.sendBatch({ topicMessages: work.output, acks: -1 }) : [];
      await transaction.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [
          {
            topic: this.options.inputTopic,
            partitions: [{ partition, offset: (BigInt(slice[slice.length - 1].offset) + 1n).toString() }],
          },
        ],
      });
      await transaction.commit();
      const produced: ProducedOffsets = new Map();
      for (const record of metadata) {
        const counts = work.output.find((o) => o.topic === record.topicName);
        if (!counts || record.partition !== partition || record.baseOffset === undefined) continue;
        const written = counts.messages.filter((m) => m.partition === partition).length;
        produced.set(record.topicName, BigInt(record.baseOffset) + BigInt(written));
      }
      work.committed(produced);
    } catch (error) {
      work.discarded();
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      await this.release(partition);
      throw error;
    }
  }

  private async release(partition: number) {
    this.ready.delete(partition);
    this.handler.revoked(partition);
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}
