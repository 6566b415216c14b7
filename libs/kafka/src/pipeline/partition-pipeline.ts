import type { Batch, Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { KafkaLogger } from '../kafka-logger';
import { PARTITION_RETRY_BACKOFF, RetryBackoff, retryDelayMs, retryRetriable } from '../retry-backoff';
import { PartitionBuffer } from './partition-buffer';
import { PartitionSink, Slice, SliceProcessor, TopicPartition, topicPartitionKey, WriteReceipt } from './partition-pipeline.ports';
import { Semaphore } from './semaphore';

export interface PartitionPipelineOptions<R, Output, Receipt extends WriteReceipt> {
  groupId: string;
  topics: readonly string[];
  /** KafkaJS consumer settings besides the group and the isolation level (always read_committed). */
  consumer: Omit<ConsumerConfig, 'groupId' | 'readUncommitted'>;
  /** Partitions whose fetched batches are handed over side by side (KafkaJS's partitionsConsumedConcurrently). */
  partitionsConsumedConcurrently: number;
  /** Turns a consumed message into a record, as it arrives: the raw message then dies young. */
  decode: (partition: TopicPartition, message: KafkaMessage) => R;
  offsetOf: (record: R) => bigint;
  processor: SliceProcessor<R, Output, Receipt>;
  sink: PartitionSink<R, Output, Receipt>;
  /** Records per slice at most. */
  maxSliceRecords: number;
  /**
   * A partition's slices start at least this many ms apart (0: at once). A slice costs its sink a
   * fixed amount of work whatever it carries, so under load the records that arrive while one is
   * written wait out the spacing and go together; a record reaching an idle partition goes at
   * once, so latency stays bounded by the spacing. A full slice never waits.
   */
  lingerMs?: number;
  /** Slices being processed or written at the same time, across partitions (default: no bound). */
  maxConcurrentSlices?: number;
  /** Records queued in one partition before its fetching waits (default: no bound). */
  maxQueuedPerPartition?: number;
  /** Records queued across partitions before fetching waits; every partition then writes at once (default: no bound). */
  maxQueuedRecords?: number;
  /** Back-off of a partition whose load or slice failed (default PARTITION_RETRY_BACKOFF). */
  retryBackoff?: RetryBackoff;
  /**
   * On stop, `in-flight`: the slices being written finish, queued records are left to the next
   * owner; `queued`: everything queued is written too before the group is left.
   */
  drainOnStop: 'in-flight' | 'queued';
  logger: KafkaLogger;
  /** After every slice the sink wrote (metrics). */
  onWritten?: (slice: Slice<R>, receipt: Receipt, durationMs: number) => void;
  /**
   * How long the consumer may show no sign of life (a join or a heartbeat) before it is replaced
   * by a new one (see `replaceStalledConsumer`). Default: the consumer's rebalance timeout plus two
   * session timeouts, the longest a healthy member waits in a rebalance. Fetches are no sign of
   * life: a consumer that fetches heartbeats too (KafkaJS sends one after each fetch at most every
   * `heartbeatInterval`), unless it is no member of its group any more, which readiness reports.
   */
  stallTimeoutMs?: number;
}

/** One assigned partition: what it queued and where it stands. Replaced by a new lane when reloaded. */
interface Lane<R> extends TopicPartition {
  readonly key: string;
  /** The sink's load (fencing, stored position) and the processor's; everything else waits for it. */
  loaded: Promise<void>;
  readonly buffer: PartitionBuffer<R>;
  /** The offset the next consumed record must have: past everything queued or written. */
  nextExpected?: bigint;
  /** The position the sink last stored: where the partition starts again after a failure. */
  stored?: bigint;
  /** The slice loop, while it runs. */
  running?: Promise<void>;
  lastStartedAt?: number;
  /** Ends the linger early, while it lasts. */
  endLinger?: () => void;
}

/**
 * The one partition pipeline: consumes topics with read_committed and, per partition and in
 * offset order, gathers the fetched records into slices, has each slice turned into output by
 * ONE call (`processor.process`) and written by the sink together with the partition's position.
 *
 * Consuming and writing are decoupled per partition. KafkaJS fetches again only when every batch
 * of the previous fetch was handed over, so if each batch waited for its own write every partition
 * would wait for the slowest one. Instead a batch is queued and the fetch loop goes on; each
 * partition runs its own loop of slices, each taking what was queued since the last (up to
 * `maxSliceRecords`), so slices grow with the load. Full queues hold the fetch loop back.
 *
 * Where a partition stands is the pipeline's to track: the sink says where it starts on
 * assignment; afterwards every partition knows the offset its next record must have, drops what
 * it already took (KafkaJS restarts from the group's offsets after a rebalance, which may lag
 * slices in flight, or from the log start when positions live in the sink), and seeks when a
 * fetch does not continue it.
 *
 * A failed load or slice releases the partition (queue, processor state, sink resources such as a
 * transactional producer) and pauses it for a back-off that doubles with each failure in a row,
 * reset by a written slice: while a dependency is down, retrying at once would fail again at
 * once, forever, for every partition. The partition seeks back to its stored position, and its
 * next batch loads it again. Other partitions go on meanwhile. Each assignment gets a fresh lane,
 * so work of an older one that ends late changes nothing.
 */
export class PartitionPipeline<R, Output, Receipt extends WriteReceipt = WriteReceipt> {
  private consumer: Consumer;
  /** Removes this pipeline's listeners from the current consumer. */
  private consumerListeners: (() => void)[] = [];
  private readonly replacementListeners: ((consumer: Consumer) => void)[] = [];
  private readonly stallTimeoutMs: number;
  private lastSignOfLife = Date.now();
  private watchdog?: NodeJS.Timeout;
  private replacing = false;
  /** Replaced consumers: KafkaJS must not restart one after a crash (see `replaceStalledConsumer`). */
  private readonly dismissed = new WeakSet<Consumer>();
  private readonly lanes = new Map<string, Lane<R>>();
  /** Per partition: loads or slices failed in a row, and the timer ending its pause. */
  private readonly failures = new Map<string, { count: number; resume?: NodeJS.Timeout }>();
  private readonly slots?: Semaphore;
  private readonly spaceWaiters: (() => void)[] = [];
  private queued = 0;
  private joined = false;
  /** consumer.run() was called (pausing throws before). */
  private running = false;
  private stopping = false;
  private fatal: Error | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: PartitionPipelineOptions<R, Output, Receipt>,
  ) {
    if (options.maxConcurrentSlices !== undefined) this.slots = new Semaphore(options.maxConcurrentSlices);
    const { rebalanceTimeout = 60000, sessionTimeout = 30000 } = options.consumer;
    this.stallTimeoutMs = options.stallTimeoutMs ?? rebalanceTimeout + 2 * sessionTimeout;
    this.consumer = this.createConsumer();
  }

  private createConsumer(): Consumer {
    const { options } = this;
    // KafkaJS's own default when a consumer is given no retry options.
    const retry = options.consumer.retry ?? { retries: 5 };
    const consumer: Consumer = this.kafka.consumer({
      ...options.consumer,
      groupId: options.groupId,
      readUncommitted: false,
      retry: {
        ...retry,
        restartOnFailure: async (error) =>
          !this.dismissed.has(consumer) && (retry.restartOnFailure ? await retry.restartOnFailure(error) : true),
      },
    });
    const { GROUP_JOIN, HEARTBEAT, CRASH, START_BATCH_PROCESS } = consumer.events;
    const alive = () => (this.lastSignOfLife = Date.now());
    this.consumerListeners = [
      consumer.on(GROUP_JOIN, ({ payload }) => {
        alive();
        this.joined = true;
        this.assign(payload.memberAssignment);
      }),
      consumer.on(HEARTBEAT, alive),
      consumer.on(CRASH, ({ payload }) => {
        this.joined = false;
        if (!payload.restart) this.fatal = payload.error;
        options.logger.error(
          { err: payload.error, restart: payload.restart },
          `consumer of ${options.groupId} crashed: ${payload.error.message}`,
        );
        void this.releaseAll();
      }),
      // A fetch of only transaction markers (or aborted records) is skipped by KafkaJS without
      // reaching eachBatch; step over it too, or the next fetch would look like a gap (and a
      // position stored in the sink would stay one step behind until new records come).
      consumer.on(START_BATCH_PROCESS, ({ payload }) => {
        const lane = this.lanes.get(topicPartitionKey(payload.topic, payload.partition));
        if (payload.batchSize > 0 || !lane || payload.firstOffset === null) return;
        const [first, last] = [BigInt(payload.firstOffset), BigInt(payload.lastOffset)];
        // The first fetch after an assignment often arrives while the partition still loads.
        void lane.loaded.then(
          () => {
            if (!this.isCurrent(lane) || this.stopping) return;
            lane.nextExpected ??= first;
            lane.stored ??= first;
            if (first > lane.nextExpected || last < lane.nextExpected) return;
            lane.nextExpected = last + 1n;
            if (options.sink.writesEmptySlices) this.enqueue(lane, [], last);
          },
          () => undefined,
        );
      }),
    ];
    return consumer;
  }

  /**
   * The KafkaJS consumer, for health tracking (listen to its events; do not drive it). A stalled
   * one is replaced: follow `onConsumerReplaced` too.
   */
  get groupConsumer(): Consumer {
    return this.consumer;
  }

  /** Called with each new consumer that replaces a stalled one (see `stallTimeoutMs`). */
  onConsumerReplaced(listener: (consumer: Consumer) => void): void {
    this.replacementListeners.push(listener);
  }

  get isJoined(): boolean {
    return this.joined && !this.stopping;
  }

  /** Set when KafkaJS gave up on the consumer (a crash it does not restart from): nothing is fetched any more. */
  get fatalError(): Error | null {
    return this.fatal;
  }

  assignedPartitions(topic: string): number[] {
    return [...this.lanes.values()]
      .filter((lane) => lane.topic === topic)
      .map((lane) => lane.partition)
      .sort((a, b) => a - b);
  }

  /**
   * The partitions of `topic` that wait for input (loaded, nothing queued, no slice running), with
   * the offset their next record must have. It can be past the stored position when only
   * transaction markers or aborted records followed: readiness must not take those for input.
   */
  idlePositions(topic: string): Map<number, bigint> {
    const idle = new Map<number, bigint>();
    for (const lane of this.lanes.values()) {
      if (lane.topic === topic && lane.buffer.isEmpty && !lane.running && lane.nextExpected !== undefined)
        idle.set(lane.partition, lane.nextExpected);
    }
    return idle;
  }

  async start(): Promise<void> {
    await this.options.sink.start?.();
    await this.runConsumer(this.consumer);
    this.lastSignOfLife = Date.now();
    const every = Math.max(100, Math.min(5000, this.stallTimeoutMs / 4));
    this.watchdog = setInterval(() => this.checkSignsOfLife(), every).unref();
  }

  private async runConsumer(consumer: Consumer): Promise<void> {
    await consumer.connect();
    // On a fresh cluster a broker may not know the topics yet (see retryRetriable): make cluster-up's
    // projector #1 failed to start on it after its own ensureTopics had passed.
    await retryRetriable(() => consumer.subscribe({ topics: [...this.options.topics], fromBeginning: true }));
    this.running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      // A replaced consumer that wakes up again must not feed the lanes of its successor.
      eachBatch: async (payload) => {
        if (consumer === this.consumer) await this.receive(payload);
      },
    });
  }

  private checkSignsOfLife(): void {
    if (this.stopping || this.replacing || this.fatal) return;
    const silentMs = Date.now() - this.lastSignOfLife;
    if (silentMs > this.stallTimeoutMs) void this.replaceStalledConsumer(silentMs);
  }

  /**
   * KafkaJS can stall for good: seen after a broker restart, a consumer whose rejoin never
   * finished (no heartbeat, no fetch, no crash, no log line) while the process stayed up, so the
   * partitions it held were not consumed until someone restarted the process. Readiness reports
   * it; this replaces it: the partitions are released as on a crash, the stalled consumer is told
   * to disconnect (not awaited: it may never answer, and once it wakes it leaves the group), and a
   * new one joins under a new member id. Starting it is retried until it works or the pipeline
   * stops (the broker may still be away).
   */
  private async replaceStalledConsumer(silentMs: number): Promise<void> {
    const { groupId, logger } = this.options;
    this.replacing = true;
    for (const remove of this.consumerListeners.splice(0)) remove();
    const stalled = this.consumer;
    this.joined = false;
    this.running = false;
    logger.error(
      { groupId, silentMs },
      `consumer of ${groupId} showed no sign of life (join or heartbeat) for ${silentMs} ms: replacing it`,
    );
    void this.releaseAll();
    const dismiss = () =>
      stalled
        .disconnect()
        .catch((error: unknown) => logger.warn({ err: error }, `stalled consumer of ${groupId}: ${(error as Error).message}`));
    // KafkaJS restarts a consumer after a crash even if it was told to disconnect meanwhile (its
    // crash handler disconnects, then schedules the restart), and dismissing a consumer that is
    // starting makes it crash ("No broker available"): a stalled consumer came back every few
    // seconds, joined, took partitions nobody consumed and was dismissed again, for ever (the
    // stalled-consumer int-spec, after a broker outage). A dismissed consumer is never restarted,
    // and should one still join (a start already under way), it is dismissed again at once.
    this.dismissed.add(stalled);
    stalled.on(stalled.events.GROUP_JOIN, () => void dismiss());
    void dismiss();
    this.consumer = this.createConsumer();
    for (const listener of this.replacementListeners) listener(this.consumer);
    try {
      // A consumer whose connect or subscribe failed can be started again (KafkaJS's run itself
      // does not throw: a failed first join is a crash it restarts from).
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          await this.runConsumer(this.consumer);
          return;
        } catch (error) {
          const delay = retryDelayMs(attempt, this.options.retryBackoff ?? PARTITION_RETRY_BACKOFF);
          logger.error(
            { groupId, err: error },
            `starting the new consumer of ${groupId} failed, retrying in ${delay} ms: ${(error as Error).message}`,
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    } finally {
      this.lastSignOfLife = Date.now();
      this.replacing = false;
    }
  }

  /** Finishes the slices in flight (and, with `drainOnStop: 'queued'`, what is queued), then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    for (const failure of this.failures.values()) clearTimeout(failure.resume);
    // Nothing fetched from now on is taken: stop fetching it (pause throws before run()).
    if (this.running) this.steer((consumer) => consumer.pause(this.options.topics.map((topic) => ({ topic }))));
    this.wakeSpaceWaiters();
    for (const lane of this.lanes.values()) {
      lane.endLinger?.();
      if (this.options.drainOnStop === 'queued') this.schedule(lane);
    }
    await Promise.all([...this.lanes.values()].map((lane) => lane.running));
    await this.consumer.disconnect();
    await this.releaseAll();
    await this.options.sink.stop?.();
  }

  private async receive({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.stopping || !isRunning() || isStale()) return;
    const key = topicPartitionKey(batch.topic, batch.partition);
    const lane = this.lanes.get(key) ?? this.load([{ topic: batch.topic, partition: batch.partition }])[0];
    try {
      await whileHeartbeating(lane.loaded, heartbeat);
    } catch (error) {
      // A heartbeat's error goes to KafkaJS, which rejoins the group on a rebalance.
      if (error instanceof HeartbeatFailed) throw heartbeatError(error);
      // A failed load: nothing of the batch is resolved, it is fetched again once the partition's pause ends.
      return;
    }
    if (!this.isCurrent(lane) || this.stopping) return;
    const fetchedAt = BigInt(fetchedOffsetOf(batch));
    const last = BigInt(batch.lastOffset());
    lane.nextExpected ??= fetchedAt;
    lane.stored ??= fetchedAt;
    if (fetchedAt > lane.nextExpected || last < lane.nextExpected) {
      // The fetch does not continue what the partition holds: fetch from where it stands.
      this.steer((consumer) => consumer.seek({ topic: batch.topic, partition: batch.partition, offset: `${lane.nextExpected}` }));
      return;
    }
    const { decode } = this.options;
    const records: R[] = [];
    for (const message of batch.messages) {
      if (fetchedAt === lane.nextExpected || BigInt(message.offset) >= lane.nextExpected) records.push(decode(lane, message));
    }
    lane.nextExpected = last + 1n;
    resolveOffset(batch.lastOffset());
    this.enqueue(lane, records, last);
    await heartbeat();
    while (this.isFull(lane) && this.isCurrent(lane) && !this.stopping) {
      await whileHeartbeating(new Promise<void>((resolve) => this.spaceWaiters.push(resolve)), heartbeat).catch((error: unknown) => {
        throw heartbeatError(error);
      });
      await heartbeat();
    }
  }

  private enqueue(lane: Lane<R>, records: R[], lastOffset: bigint): void {
    if (records.length === 0 && lane.buffer.isEmpty && !this.options.sink.writesEmptySlices) return;
    lane.buffer.append(records, lastOffset);
    this.queued += records.length;
    this.schedule(lane);
    if (this.options.maxQueuedRecords !== undefined && this.queued > this.options.maxQueuedRecords) {
      // The queues are full: every partition writes what it holds instead of lingering.
      for (const other of this.lanes.values()) other.endLinger?.();
    }
  }

  private isFull(lane: Lane<R>): boolean {
    const { maxQueuedPerPartition, maxQueuedRecords } = this.options;
    return (
      (maxQueuedPerPartition !== undefined && lane.buffer.size >= maxQueuedPerPartition) ||
      (maxQueuedRecords !== undefined && this.queued > maxQueuedRecords)
    );
  }

  /** Starts the partition's slice loop unless it runs; ends its linger when a full slice is queued. */
  private schedule(lane: Lane<R>): void {
    if (lane.buffer.size >= this.options.maxSliceRecords) lane.endLinger?.();
    if (lane.running || !this.hasWork(lane)) return;
    lane.running = this.run(lane).finally(() => (lane.running = undefined));
  }

  private hasWork(lane: Lane<R>): boolean {
    return !lane.buffer.isEmpty && this.isCurrent(lane) && (!this.stopping || this.options.drainOnStop === 'queued');
  }

  private async run(lane: Lane<R>): Promise<void> {
    while (this.hasWork(lane)) {
      await this.linger(lane);
      if (!this.hasWork(lane)) break;
      const written = this.slots ? await this.slots.run(() => this.writeNext(lane)) : await this.writeNext(lane);
      if (!written) break;
    }
  }

  /** Waits out the partition's linger (see `lingerMs`); ended early by a full queue, a stop or a release. */
  private async linger(lane: Lane<R>): Promise<void> {
    const lingerMs = this.options.lingerMs ?? 0;
    if (lingerMs <= 0 || this.stopping) return;
    if (
      lane.buffer.size >= this.options.maxSliceRecords ||
      (this.options.maxQueuedRecords !== undefined && this.queued > this.options.maxQueuedRecords)
    )
      return;
    const wait = (lane.lastStartedAt ?? Number.NEGATIVE_INFINITY) + lingerMs - Date.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        lane.endLinger = undefined;
        resolve();
      };
      const timer = setTimeout(end, wait);
      lane.endLinger = end;
    });
  }

  /**
   * Takes a slice (only now: what arrived while it waited for a slot joins it), has it processed
   * and written. Returns false when it failed (the partition is released).
   */
  private async writeNext(lane: Lane<R>): Promise<boolean> {
    if (!this.hasWork(lane)) return false;
    const taken = lane.buffer.take(this.options.maxSliceRecords);
    if (!taken) return false;
    this.queued -= taken.records.length;
    this.wakeSpaceWaiters();
    if (taken.records.length === 0 && !this.options.sink.writesEmptySlices) return true;
    const slice: Slice<R> = { topic: lane.topic, partition: lane.partition, records: taken.records, lastOffset: taken.lastOffset };
    lane.lastStartedAt = Date.now();
    const started = performance.now();
    try {
      const output = await this.options.processor.process(slice);
      const receipt = await this.options.sink.write(slice, output);
      lane.stored = receipt.nextOffset;
      this.options.processor.committed?.(slice, output, receipt);
      this.failures.delete(lane.key);
      if (receipt.nextOffset > slice.lastOffset + 1n && this.isCurrent(lane) && !this.stopping) {
        // The stored position is ahead of what was fetched (a rebuild switched in, or another
        // member wrote it): continue from there instead of fetching what is already written.
        this.clearQueue(lane);
        lane.nextExpected = receipt.nextOffset;
        this.steer((consumer) => consumer.seek({ topic: lane.topic, partition: lane.partition, offset: `${receipt.nextOffset}` }));
      }
      this.options.onWritten?.(slice, receipt, performance.now() - started);
      return true;
    } catch (error) {
      if (!this.isCurrent(lane)) return false;
      const delay = this.backOff(lane);
      this.options.logger.error(
        { topic: lane.topic, partition: lane.partition, err: error },
        `${lane.topic}[${lane.partition}]: slice failed, the partition starts again from its stored position in ${delay} ms: ${(error as Error).message}`,
      );
      await this.release(lane);
      // The consumer is past everything that was queued: bring the records back, and with them
      // the partition's reload (the log may have nothing newer to trigger it).
      if (lane.stored !== undefined && !this.stopping)
        this.steer((consumer) => consumer.seek({ topic: lane.topic, partition: lane.partition, offset: `${lane.stored}` }));
      return false;
    }
  }

  /** Loads the partitions together: the sink first (fencing, positions), then the processor's state. */
  private load(partitions: TopicPartition[]): Lane<R>[] {
    const lanes = partitions.map((p): Lane<R> => ({
      ...p,
      key: topicPartitionKey(p.topic, p.partition),
      loaded: Promise.resolve(),
      buffer: new PartitionBuffer(this.options.offsetOf),
    }));
    const loaded = (async () => {
      const positions = await this.options.sink.load(partitions);
      for (const lane of lanes) {
        const position = positions.get(lane.key);
        if (position !== undefined) lane.nextExpected = lane.stored = position;
      }
      await this.options.processor.load?.(partitions);
    })();
    for (const lane of lanes) {
      lane.loaded = loaded;
      this.lanes.set(lane.key, lane);
    }
    loaded.then(
      () => {
        if (this.options.sink.positions === 'sink') for (const lane of lanes) this.seekToExpected(lane);
      },
      (error: unknown) => {
        const delays = lanes.filter((lane) => this.isCurrent(lane)).map((lane) => this.backOff(lane));
        const names = partitions.map((p) => `${p.topic}[${p.partition}]`).join(', ');
        this.options.logger.error(
          { partitions: names, err: error },
          `loading ${names} failed, retrying in ${Math.min(...delays)} ms: ${(error as Error).message}`,
        );
        for (const lane of lanes) void this.release(lane);
      },
    );
    return lanes;
  }

  /** A new assignment: released partitions are forgotten, new ones loaded, kept ones keep their queue. */
  private assign(assignment: Record<string, number[]>): void {
    const assigned = new Map<string, TopicPartition>();
    for (const topic of this.options.topics) {
      for (const partition of assignment[topic] ?? []) assigned.set(topicPartitionKey(topic, partition), { topic, partition });
    }
    for (const lane of [...this.lanes.values()]) if (!assigned.has(lane.key)) void this.release(lane);
    const kept = [...this.lanes.values()];
    const fresh = [...assigned].filter(([key]) => !this.lanes.has(key)).map(([, p]) => p);
    if (fresh.length > 0) this.load(fresh);
    // With no offsets committed to the group, KafkaJS starts every partition at the log start.
    if (this.options.sink.positions === 'sink') for (const lane of kept) this.seekToExpected(lane);
  }

  private seekToExpected(lane: Lane<R>): void {
    if (this.isCurrent(lane) && !this.stopping && lane.nextExpected !== undefined) {
      this.steer((consumer) => consumer.seek({ topic: lane.topic, partition: lane.partition, offset: `${lane.nextExpected}` }));
    }
  }

  /**
   * Pauses fetching the partition after a failure, for longer with each failure in a row (see
   * `retryBackoff`); returns the pause in ms. A seek made meanwhile applies when it resumes.
   */
  private backOff(lane: Lane<R>): number {
    const failure = this.failures.get(lane.key) ?? { count: 0 };
    failure.count += 1;
    clearTimeout(failure.resume);
    this.failures.set(lane.key, failure);
    const delay = retryDelayMs(failure.count, this.options.retryBackoff ?? PARTITION_RETRY_BACKOFF);
    const topicPartitions = [{ topic: lane.topic, partitions: [lane.partition] }];
    this.steer((consumer) => consumer.pause(topicPartitions));
    failure.resume = setTimeout(() => {
      failure.resume = undefined;
      if (!this.stopping) this.steer((consumer) => consumer.resume(topicPartitions));
    }, delay);
    return delay;
  }

  /**
   * Pauses, resumes or seeks. KafkaJS refuses these (throws) while it restarts a consumer that
   * crashed, e.g. after a broker was killed, and they are often called from timers, where a throw
   * would end the process. Nothing is lost by skipping one then: the restarted consumer rejoins,
   * and the join seeks every partition to where it stands and starts unpaused.
   */
  private steer(action: (consumer: Consumer) => void): void {
    try {
      action(this.consumer);
    } catch (error) {
      this.options.logger.warn({ err: error }, `consumer not steerable right now (it restarts): ${(error as Error).message}`);
    }
  }

  private async releaseAll(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => this.release(lane)));
  }

  /** Forgets the partition (only if `lane` is still its current one): queue, processor state, sink resources. */
  private async release(lane: Lane<R>): Promise<void> {
    if (!this.isCurrent(lane)) return;
    this.lanes.delete(lane.key);
    this.clearQueue(lane);
    lane.endLinger?.();
    this.options.processor.release?.(lane);
    await this.options.sink.release?.(lane);
  }

  private clearQueue(lane: Lane<R>): void {
    this.queued -= lane.buffer.size;
    lane.buffer.clear();
    this.wakeSpaceWaiters();
  }

  private isCurrent(lane: Lane<R>): boolean {
    return this.lanes.get(lane.key) === lane;
  }

  private wakeSpaceWaiters(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }
}

/** How often a batch handler that waits heartbeats (KafkaJS sends one at most every `heartbeatInterval`). */
const WAITING_HEARTBEAT_MS = 1000;

/**
 * Waits for `work` while heartbeating. KafkaJS heartbeats only between fetches and when a batch
 * handler asks, and it fetches again only once every handler returned. A partition's load (its
 * state rebuilt from the log) or a full queue can outlast the session on a busy machine: without
 * heartbeats the member is evicted, its partitions move, their new owners fence it and load them
 * again, and on a starved machine that repeats (the cluster chaos run: processors rejoining every
 * 20-30 s, readiness back only minutes after a broker restart). A heartbeat that fails (a
 * rebalance under way, the coordinator gone) ends the wait with its error, as KafkaJS's own
 * heartbeat in a handler does, so that the member rejoins at once instead of holding the group's
 * rebalance until the load ends.
 */
class HeartbeatFailed extends Error {
  constructor(readonly original: unknown) {
    super('heartbeat failed while waiting');
  }
}

/** KafkaJS's own error of a failed heartbeat, for the runner that rejoins on it. */
const heartbeatError = (error: unknown): unknown => (error instanceof HeartbeatFailed ? error.original : error);

async function whileHeartbeating<T>(work: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let waiting = true;
  const interrupted = new Promise<never>((_, reject) => {
    const beat = () => {
      if (!waiting) return;
      timer = setTimeout(() => {
        heartbeat().then(beat, (error: unknown) => waiting && reject(new HeartbeatFailed(error)));
      }, WAITING_HEARTBEAT_MS);
    };
    beat();
  });
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    waiting = false;
    clearTimeout(timer);
  }
}

/** The offset the fetch asked for: KafkaJS keeps it on every batch but leaves it out of its typings. */
function fetchedOffsetOf(batch: Batch): string {
  return (batch as Batch & { fetchedOffset: string }).fetchedOffset;
}
