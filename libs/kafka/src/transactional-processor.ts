import { Consumer, Kafka, KafkaMessage, Message, Producer, RecordMetadata, Transaction } from 'kafkajs';
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
  /** May be called twice (a wrong offset guess is redone); must not keep state between calls. */
  results(baseOffsets: BaseOffsets): OutputMessages[];
  /**
   * The transaction committed: the working state becomes the real state. `nextOffsets` are the
   * offsets the next records will get on the output topics written so far (after the marker).
   */
  committed(nextOffsets: BaseOffsets): void;
  /** The transaction failed: forget everything this work changed. */
  discarded(): void;
}

function baseOffsetsOf(records: RecordMetadata[], partition: number): Map<string, bigint> {
  const bases = new Map<string, bigint>();
  for (const record of records) {
    if (record.partition === partition && record.baseOffset !== undefined) bases.set(record.topicName, BigInt(record.baseOffset));
  }
  return bases;
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
  /** How many partitions are processed at the same time. */
  partitionsConcurrently: number;
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
  /** Per input partition: the offset the next record will get on each output topic, once known. */
  private readonly nextOffsets = new Map<number, Map<string, bigint>>();
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

  /** The group consumer, for health tracking (listen to its events; do not drive it). */
  get groupConsumer(): Consumer {
    return this.consumer;
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
      // Partitions are independent (each has its own producer and transaction), so they are
      // processed side by side; one after another, every batch waited for all the others.
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
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
      this.options.logger.error({ partitions, err: error }, `loading partitions failed: ${(error as Error).message}`);
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
        // Right after a commit the coordinator still writes its markers for a few milliseconds
        // and answers the next transaction with CONCURRENT_TRANSACTIONS: retry soon and often.
        retry: { initialRetryTime: 3, maxRetryTime: 500, factor: 0.2, multiplier: 1.5, retries: 30 },
      });
      this.producers.set(partition, producer);
      await producer.connect();
    }
    return producer;
  }

  private async processSlice(producer: Producer, partition: number, slice: KafkaMessage[]) {
    const started = Date.now();
    const work = await this.handler.handle(partition, slice);
    const first = work.first.filter((o) => o.messages.length > 0);
    const nextOffset = `${BigInt(slice[slice.length - 1].offset) + 1n}`;
    let transaction: Transaction | undefined;
    try {
      const predicted = this.predict(partition, first);
      if (predicted) {
        transaction = await producer.transaction();
        const results = work.results(predicted).filter((o) => o.messages.length > 0);
        const written = await transaction.sendBatch({ topicMessages: [...first, ...results], acks: -1 });
        const actual = baseOffsetsOf(written, partition);
        if (first.every((o) => actual.get(o.topic) === predicted.get(o.topic))) {
          await this.commit(transaction, partition, nextOffset);
          this.advance(partition, actual, [...first, ...results]);
        } else {
          // Someone else wrote to our partitions (or we lost track): abort, learn, do it the slow way.
          await transaction.abort();
          this.advance(partition, actual, [...first, ...results]);
          this.options.logger.warn({ partition }, 'predicted offsets were wrong; transaction redone in two steps');
          transaction = undefined;
        }
      }
      if (!transaction) {
        transaction = await producer.transaction();
        const base = baseOffsetsOf(first.length > 0 ? await transaction.sendBatch({ topicMessages: first, acks: -1 }) : [], partition);
        const results = work.results(base).filter((o) => o.messages.length > 0);
        const resultOffsets = baseOffsetsOf(results.length > 0 ? await transaction.sendBatch({ topicMessages: results, acks: -1 }) : [], partition);
        await this.commit(transaction, partition, nextOffset);
        this.advance(partition, new Map([...base, ...resultOffsets]), [...first, ...results]);
      }
    } catch (error) {
      work.discarded();
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      await this.release(partition);
      throw error;
    }
    work.committed(this.nextOffsets.get(partition) ?? new Map());
    this.options.onCommitted?.(partition, slice.length, Date.now() - started);
  }

  private async commit(transaction: Transaction, partition: number, nextOffset: string) {
    await transaction.sendOffsets({
      consumerGroupId: this.options.groupId,
      topics: [{ topic: this.options.inputTopic, partitions: [{ partition, offset: nextOffset }] }],
    });
    await transaction.commit();
  }

  /**
   * The offsets our next records will get, when we know them: this instance is the only writer
   * of its partition of every output topic, so after a transaction the next offset is the last
   * record's + 1 for the commit or abort marker. Knowing them lets events and results (whose
   * consistency positions name the events' offsets) go out in one request; a wrong guess is
   * caught by comparing with the offsets the broker assigned, before commit.
   */
  private predict(partition: number, first: OutputMessages[]): BaseOffsets | undefined {
    const known = this.nextOffsets.get(partition);
    if (!known || !first.every((o) => known.has(o.topic))) return undefined;
    return new Map(first.map((o) => [o.topic, known.get(o.topic)!]));
  }

  private advance(partition: number, bases: BaseOffsets, written: OutputMessages[]) {
    const known = this.nextOffsets.get(partition) ?? new Map<string, bigint>();
    for (const output of written) {
      const base = bases.get(output.topic);
      if (base !== undefined) known.set(output.topic, base + BigInt(output.messages.length) + 1n);
    }
    this.nextOffsets.set(partition, known);
  }

  private async release(partition: number) {
    this.loading.delete(partition);
    this.nextOffsets.delete(partition);
    this.handler.revoked(partition);
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}
