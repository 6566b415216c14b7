import { Consumer, Kafka, KafkaMessage, Message, Producer, Transaction } from 'kafkajs';
import { KafkaLogger } from './kafka-logger';

export interface OutputMessages {
  topic: string;
  messages: Message[];
}

/** Offset of the first record each topic-partition received in this transaction, by topic. */
export type BaseOffsets = ReadonlyMap<string, bigint>;

/**
 * What a handler made of a slice of consumed messages, held until the transaction's outcome is
 * known. `first` is sent before `results`, inside the same transaction, so that `results` (the command
 * results) can carry the offsets the events were written at.
 */
export interface PendingWork {
  first: OutputMessages[];
  results(baseOffsets: BaseOffsets): OutputMessages[];
  /** The transaction committed: the working state becomes the real state. */
  committed(): void;
  /** The transaction failed: forget everything this work changed. */
  discarded(): void;
}

export interface PartitionHandler {
  /** Called with newly assigned partitions, after older producers of them were fenced, before their first batch. */
  assigned(partitions: number[]): Promise<void>;
  revoked(partition: number): void;
  /** Every output message must target `partition` (explicit `partition` field). */
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
  /** Called after every committed transaction (metrics). */
  onCommitted?: (partition: number, inputMessages: number, durationMs: number) => void;
}

/**
 * Consume-transform-produce with exactly-once effects: for every slice of a consumed batch, the
 * handler's output and the consumer's next offset are written in ONE Kafka transaction
 * (`sendOffsets`). If anything fails the transaction is aborted, the handler discards its working
 * state and forgets the partition, and the error goes back to KafkaJS, which restarts the
 * consumer from the committed offsets; the partition's state is then rebuilt.
 *
 * One transactional producer per input partition: when a partition moves to another instance,
 * the new owner's `initTransactions` fences the old one, whose next commit then fails.
 */
export class TransactionalProcessor {
  private readonly consumer: Consumer;
  private readonly producers = new Map<number, Producer>();
  /** Partitions whose state is loaded (or loading), with the promise of that load. */
  private readonly loading = new Map<number, Promise<void>>();
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
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 20,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      retry: { retries: 5, initialRetryTime: 100 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      const assigned = new Set(payload.memberAssignment[options.inputTopic] ?? []);
      for (const partition of [...this.loading.keys()]) if (!assigned.has(partition)) void this.release(partition);
      const fresh = [...assigned].filter((p) => !this.loading.has(p));
      if (fresh.length > 0) this.load(fresh);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      options.logger.error({ err: payload.error, restart: payload.restart }, 'transactional consumer crashed');
      for (const partition of [...this.loading.keys()]) void this.release(partition);
    });
  }

  get isJoined(): boolean {
    return this.joined && !this.stopping;
  }

  get assignedPartitions(): number[] {
    return [...this.loading.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.inputTopic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const partition = batch.partition;
        if (!this.loading.has(partition)) this.load([partition]);
        await this.loading.get(partition);
        const producer = this.producers.get(partition);
        if (!producer) throw new Error(`no producer for partition ${partition}`);
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

  private load(partitions: number[]) {
    const ready = (async () => {
      // Fencing first: once our producers are initialised no older owner can commit, so the
      // output topics' ends are final for the state rebuild that follows.
      await Promise.all(partitions.map((p) => this.producerFor(p)));
      await this.handler.assigned(partitions);
    })();
    // A failed load is retried by the next batch of the partition.
    const guarded = ready.catch((error: unknown) => {
      for (const p of partitions) if (this.loading.get(p) === guarded) void this.release(p);
      throw error;
    });
    for (const p of partitions) this.loading.set(p, guarded);
    guarded.catch(() => undefined);
  }

  private async producerFor(partition: number): Promise<Producer> {
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
    return producer;
  }

  private async processSlice(producer: Producer, partition: number, slice: KafkaMessage[]) {
    const started = Date.now();
    const work = await this.handler.handle(partition, slice);
    let transaction: Transaction | undefined;
    try {
      transaction = await producer.transaction();
      const baseOffsets = new Map<string, bigint>();
      const first = work.first.filter((o) => o.messages.length > 0);
      if (first.length > 0) {
        for (const record of await transaction.sendBatch({ topicMessages: first, acks: -1 })) {
          if (record.partition === partition && record.baseOffset !== undefined) {
            baseOffsets.set(record.topicName, BigInt(record.baseOffset));
          }
        }
      }
      const results = work.results(baseOffsets).filter((o) => o.messages.length > 0);
      if (results.length > 0) await transaction.sendBatch({ topicMessages: results, acks: -1 });
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
    } catch (error) {
      work.discarded();
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      await this.release(partition);
      throw error;
    }
    work.committed();
    this.options.onCommitted?.(partition, slice.length, Date.now() - started);
  }

  private async release(partition: number) {
    this.loading.delete(partition);
    this.handler.revoked(partition);
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}
