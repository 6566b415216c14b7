import { Admin, Batch, Consumer, Kafka, KafkaMessage, Message, Producer, RecordMetadata, Transaction } from 'kafkajs';
import { KafkaLogger } from './kafka-logger';
import { PARTITION_RETRY_BACKOFF, RetryBackoff, retryDelayMs } from './retry-backoff';

/**
 * A member that crashed (broker gone past the consumer's retries) rejoins under a new member id,
 * and the group waits for the old one's session to expire before it assigns any partition: with
 * 30 s, partitions (and readiness) came back 31 s after a broker restart. 10 s, heartbeats every
 * second (eachBatch only queues, so they are never held up by processing).
 */
export const PROCESSOR_SESSION_TIMEOUT_MS = 10000;

/**
 * Patient enough (about two minutes) that a broker restart does not crash the consumer, which
 * then keeps its member id and needs no rejoin; tries at most 2 s apart, so it notices the
 * broker's return within 2 s instead of after a back-off grown to KafkaJS's 30 s bound.
 */
export const CONSUMER_RETRY = { initialRetryTime: 100, maxRetryTime: 2000, retries: 60 };

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
  /**
   * A partition's next transaction starts no sooner than this many ms after its previous one
   * started, unless `maxMessagesPerTransaction` messages are queued (0: at once). Each
   * transaction costs the broker a fixed amount of work whatever it carries, so under light load
   * waiting a little for company costs less latency than it saves.
   */
  lingerMs?: number;
  /** How many partitions are processed at the same time. */
  partitionsConcurrently: number;
  /** Wait before a partition whose load or transaction failed is loaded again (default PARTITION_RETRY_BACKOFF). */
  retryBackoff?: RetryBackoff;
  logger: KafkaLogger;
  /** Called after every committed transaction (metrics). */
  onCommitted?: (partition: number, inputMessages: number, durationMs: number) => void;
  /**
   * Called inside every transaction, its output sent, just before its commit (test-only fault
   * injection). Throwing fails the transaction like any other error.
   */
  beforeCommit?: (partition: number, inputMessages: number) => void;
}

/** One assigned input partition: its consumed-but-uncommitted messages and where they stand. */
interface Pipeline {
  partition: number;
  /** State rebuilt and producer fenced in; everything else waits for it. */
  loaded: Promise<void>;
  /** Consumed messages not yet in a transaction, in offset order. */
  queue: KafkaMessage[];
  /**
   * The offset the next consumed message must have: past everything queued or committed. Read
   * from the group's committed offset after fencing, so it is final; undefined when the group
   * never committed (the first batch then sets it).
   */
  nextExpected?: bigint;
  /** The input offset the last commit stored (where a failed partition starts again), once known. */
  committed?: bigint;
  /** The transaction loop, while it runs. */
  draining?: Promise<void>;
  /** When the partition's last transaction started (Date.now()). */
  lastStartedAt?: number;
  /** Ends the linger before the next transaction early, while it lasts. */
  endLinger?: () => void;
  /** Consumers waiting for the queue to shrink (back-pressure on the fetch loop). */
  spaceWaiters: (() => void)[];
}

/**
 * Consume-transform-produce with exactly-once effects: for every slice of consumed messages, the
 * handler's output and the consumer's next offset are written in ONE Kafka transaction
 * (`sendOffsets`).
 *
 * Consuming and transacting are decoupled per partition. KafkaJS fetches again only when every
 * batch of the previous fetch has been handled, so if each batch waited for its own transaction
 * every partition would wait for the slowest one. Instead a batch is queued and the fetch loop
 * goes on; each partition runs its own loop of transactions, each one taking everything queued
 * since the last (up to `maxMessagesPerTransaction`), so transactions grow with the load instead
 * of queueing behind each other; `lingerMs` spaces a partition's transactions out under light
 * load, when they would otherwise carry a few messages each. A full queue holds the fetch loop back.
 *
 * Where the consumer stands is therefore ours to track: every partition knows the offset the
 * next message must have, drops what it has already taken (KafkaJS restarts from the committed
 * offsets after a rebalance, which may lag our in-flight transaction), and seeks back when a
 * fetch skips ahead (after a failed transaction threw away the queue).
 *
 * If a transaction fails it is aborted, the handler discards its working state, and the
 * partition is forgotten: its next batch reloads it (fencing, committed offset, state) and the
 * consumer seeks back to the committed offset. A failed load is forgotten the same way. Either
 * way the partition is paused for a back-off that doubles with each failure in a row (reset by a
 * commit): while Postgres or the broker is down, reloading at once would fail again at once,
 * forever, for every partition. Other partitions go on meanwhile.
 *
 * One transactional producer per input partition: when a partition moves to another instance,
 * the new owner's `initTransactions` fences the old one, whose next commit then fails; the new
 * owner reads the committed offset only after fencing, when no one else can move it.
 */
export class TransactionalProcessor {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly producers = new Map<number, Producer>();
  private readonly pipelines = new Map<number, Pipeline>();
  /** Per input partition: the offset the next record will get on each output topic, once known. */
  private readonly nextOffsets = new Map<number, Map<string, bigint>>();
  /** Per input partition: loads or transactions failed in a row, and the timer ending its pause. */
  private readonly failures = new Map<number, { count: number; resume?: NodeJS.Timeout }>();
  private joined = false;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly handler: PartitionHandler,
    private readonly options: TransactionalProcessorOptions,
  ) {
    this.admin = kafka.admin();
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 20,
      sessionTimeout: PROCESSOR_SESSION_TIMEOUT_MS,
      heartbeatInterval: 1000,
      retry: CONSUMER_RETRY,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      const assigned = new Set(payload.memberAssignment[options.inputTopic] ?? []);
      for (const pipeline of [...this.pipelines.values()]) if (!assigned.has(pipeline.partition)) void this.release(pipeline);
      const fresh = [...assigned].filter((p) => !this.pipelines.has(p));
      if (fresh.length > 0) this.load(fresh);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      options.logger.error({ err: payload.error, restart: payload.restart }, 'transactional consumer crashed');
      for (const pipeline of [...this.pipelines.values()]) void this.release(pipeline);
    });
    // A batch of only transaction markers (or aborted records) is skipped by KafkaJS without
    // reaching eachBatch; step over it too, or the next batch would look like a gap.
    this.consumer.on(this.consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      const pipeline = this.pipelines.get(payload.partition);
      if (payload.batchSize > 0 || payload.topic !== options.inputTopic || !pipeline || payload.firstOffset === null) return;
      const [first, next] = [BigInt(payload.firstOffset), BigInt(payload.lastOffset) + 1n];
      // The first fetch after an assignment often arrives while the partition still loads (its
      // committed offset not read yet): step over once it knows where it stands.
      void pipeline.loaded.then(
        () => {
          if (this.pipelines.get(payload.partition) === pipeline && pipeline.nextExpected === first) pipeline.nextExpected = next;
        },
        () => undefined,
      );
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
    return [...this.pipelines.keys()].sort((a, b) => a - b);
  }

  /**
   * The partitions that wait for input (loaded, nothing queued, no transaction running), with the
   * offset their next record must have. It can be past the group's committed offset when only
   * transaction markers or aborted records followed: readiness must not take those for input.
   */
  idlePositions(): Map<number, bigint> {
    const idle = new Map<number, bigint>();
    for (const pipeline of this.pipelines.values()) {
      if (pipeline.queue.length === 0 && !pipeline.draining && pipeline.nextExpected !== undefined) idle.set(pipeline.partition, pipeline.nextExpected);
    }
    return idle;
  }

  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.options.inputTopic], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Loading a partition's state happens inside eachBatch; partitions load side by side.
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: async ({ batch, resolveOffset }) => {
        if (this.stopping) return;
        const pipeline = this.pipelines.get(batch.partition) ?? this.load([batch.partition])[0];
        try {
          await pipeline.loaded;
        } catch {
          // Nothing of the batch is resolved: it is fetched again once the partition's pause ends.
          return;
        }
        if (this.pipelines.get(batch.partition) !== pipeline || this.stopping) return;
        const fetchedAt = BigInt(fetchedOffsetOf(batch));
        pipeline.nextExpected ??= fetchedAt;
        pipeline.committed ??= fetchedAt;
        if (fetchedAt > pipeline.nextExpected) {
          // Messages between the two are not in our hands: fetch from where we stand.
          this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: `${pipeline.nextExpected}` });
          return;
        }
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= pipeline.nextExpected) pipeline.queue.push(message);
        }
        const last = BigInt(batch.lastOffset());
        if (last + 1n > pipeline.nextExpected) pipeline.nextExpected = last + 1n;
        resolveOffset(batch.lastOffset());
        if (pipeline.queue.length >= this.options.maxMessagesPerTransaction) pipeline.endLinger?.();
        this.drain(pipeline);
        while (pipeline.queue.length >= 2 * this.options.maxMessagesPerTransaction && this.pipelines.get(batch.partition) === pipeline && !this.stopping) {
          await new Promise<void>((resolve) => pipeline.spaceWaiters.push(resolve));
        }
      },
    });
  }

  /** Finishes the in-flight transactions, leaves the group, closes the producers. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const failure of this.failures.values()) clearTimeout(failure.resume);
    for (const pipeline of this.pipelines.values()) {
      pipeline.endLinger?.();
      this.wake(pipeline);
    }
    await Promise.all([...this.pipelines.values()].map((pipeline) => pipeline.draining));
    await this.consumer.disconnect();
    await Promise.all([...this.pipelines.values()].map((pipeline) => this.release(pipeline)));
    await this.admin.disconnect();
  }

  private load(partitions: number[]): Pipeline[] {
    const pipelines = partitions.map((partition): Pipeline => ({ partition, loaded: Promise.resolve(), queue: [], spaceWaiters: [] }));
    const loaded = (async () => {
      // Fencing first: once our producers are initialised no older owner can commit, so the
      // committed input offsets and the output topics' ends are final for what follows.
      await Promise.all(partitions.map((p) => this.producerFor(p)));
      const [committed] = await this.admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.inputTopic] });
      const offsets = new Map(committed.partitions.map(({ partition, offset }) => [partition, offset]));
      for (const pipeline of pipelines) {
        const offset = offsets.get(pipeline.partition);
        if (offset !== undefined && offset !== '-1') pipeline.nextExpected = pipeline.committed = BigInt(offset);
      }
      await this.handler.assigned(partitions);
    })();
    for (const pipeline of pipelines) {
      pipeline.loaded = loaded;
      this.pipelines.set(pipeline.partition, pipeline);
    }
    // A failed load is retried by the next batch of the partition, after its pause.
    loaded.catch((error: unknown) => {
      const delays = pipelines.map((pipeline) => this.backOff(pipeline.partition));
      this.options.logger.error({ partitions, err: error }, `loading partitions failed, retrying in ${Math.min(...delays)} ms: ${(error as Error).message}`);
      for (const pipeline of pipelines) void this.release(pipeline);
    });
    return pipelines;
  }

  /** Runs transactions for the partition until its queue is empty. */
  private drain(pipeline: Pipeline) {
    if (pipeline.draining) return;
    const current = () => pipeline.queue.length > 0 && !this.stopping && this.pipelines.get(pipeline.partition) === pipeline;
    pipeline.draining = (async () => {
      while (current()) {
        await this.linger(pipeline);
        if (!current()) break;
        pipeline.lastStartedAt = Date.now();
        const slice = pipeline.queue.splice(0, this.options.maxMessagesPerTransaction);
        this.wake(pipeline);
        const producer = this.producers.get(pipeline.partition);
        try {
          if (!producer) throw new Error(`no producer for partition ${pipeline.partition}`);
          await this.processSlice(producer, pipeline.partition, slice);
          pipeline.committed = BigInt(slice[slice.length - 1].offset) + 1n;
          this.failures.delete(pipeline.partition);
        } catch (error) {
          const delay = this.backOff(pipeline.partition);
          this.options.logger.error(
            { partition: pipeline.partition, err: error },
            `transaction failed, partition reloads in ${delay} ms: ${(error as Error).message}`,
          );
          await this.release(pipeline);
          // The consumer is past everything that was queued: bring the messages back, and with
          // them the partition's reload (the log may have nothing newer to trigger it).
          if (pipeline.committed !== undefined && !this.stopping) {
            this.consumer.seek({ topic: this.options.inputTopic, partition: pipeline.partition, offset: `${pipeline.committed}` });
          }
        }
      }
    })().finally(() => (pipeline.draining = undefined));
  }

  /** Waits out the partition's linger (see `lingerMs`); ended early by a full queue, a stop or a release. */
  private async linger(pipeline: Pipeline) {
    const wait = (pipeline.lastStartedAt ?? Number.NEGATIVE_INFINITY) + (this.options.lingerMs ?? 0) - Date.now();
    if (wait <= 0 || pipeline.queue.length >= this.options.maxMessagesPerTransaction) return;
    await new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        pipeline.endLinger = undefined;
        resolve();
      };
      const timer = setTimeout(end, wait);
      pipeline.endLinger = end;
    });
  }

  /**
   * Pauses fetching the partition after a failure, for longer with each failure in a row (see
   * `retryBackoff`); returns the pause in ms. A seek made meanwhile applies when it resumes.
   */
  private backOff(partition: number): number {
    const failure = this.failures.get(partition) ?? { count: 0 };
    failure.count += 1;
    clearTimeout(failure.resume);
    this.failures.set(partition, failure);
    const delay = retryDelayMs(failure.count, this.options.retryBackoff ?? PARTITION_RETRY_BACKOFF);
    const topicPartitions = [{ topic: this.options.inputTopic, partitions: [partition] }];
    this.consumer.pause(topicPartitions);
    failure.resume = setTimeout(() => {
      failure.resume = undefined;
      if (!this.stopping) this.consumer.resume(topicPartitions);
    }, delay);
    return delay;
  }

  private wake(pipeline: Pipeline) {
    for (const resolve of pipeline.spaceWaiters.splice(0)) resolve();
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
        // and answers the next transaction with CONCURRENT_TRANSACTIONS (a third to three
        // quarters of transactions here): retry soon and often. Starting at 1 ms rather than 3
        // gave 5-15 % more transactions per second with 12 producers.
        retry: { initialRetryTime: 1, maxRetryTime: 500, factor: 0.2, multiplier: 1.5, retries: 30 },
      });
      this.producers.set(partition, producer);
      await producer.connect();
      // KafkaJS's connect() takes a plain idempotent producer id; the transactional id is
      // registered (and older holders of it fenced, their open transaction aborted) only by the
      // first transaction(). Do that now, before anything is read: an empty transaction sends
      // no request to end it.
      await (await producer.transaction()).abort();
    }
    return producer;
  }

  /** One Kafka transaction: the handler's output for `slice` and the input offset after it. Throws after aborting. */
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
          await this.commit(transaction, partition, nextOffset, slice.length);
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
        await this.commit(transaction, partition, nextOffset, slice.length);
        this.advance(partition, new Map([...base, ...resultOffsets]), [...first, ...results]);
      }
    } catch (error) {
      work.discarded();
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
    work.committed(this.nextOffsets.get(partition) ?? new Map());
    this.options.onCommitted?.(partition, slice.length, Date.now() - started);
  }

  private async commit(transaction: Transaction, partition: number, nextOffset: string, inputMessages: number) {
    this.options.beforeCommit?.(partition, inputMessages);
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

  /** Forgets the partition (only if `pipeline` is still its current one): queue, state, producer. */
  private async release(pipeline: Pipeline) {
    const { partition } = pipeline;
    if (this.pipelines.get(partition) !== pipeline) return;
    this.pipelines.delete(partition);
    pipeline.queue.length = 0;
    pipeline.endLinger?.();
    this.wake(pipeline);
    this.nextOffsets.delete(partition);
    this.handler.revoked(partition);
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}

/** The offset the fetch asked for: KafkaJS keeps it on every batch but leaves it out of its typings. */
function fetchedOffsetOf(batch: Batch): string {
  return (batch as Batch & { fetchedOffset: string }).fetchedOffset;
}
