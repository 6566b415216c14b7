import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { PARTITION_RETRY_BACKOFF, retryDelayMs } from '@vinsight/kafka';
import { BatchResult, BatchRunner } from '../apply/batch-runner';
import { DecodedRecord, decodeRecord } from '../events/decode-event';
import { PartitionBuffer } from './partition-buffer';
import { Semaphore } from './semaphore';

export const CONSUMER_SESSION_TIMEOUT_MS = 10000;

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
  /** How long records may wait for more before they are applied (default 20 ms). */
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

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly buffer: PartitionBuffer<DecodedRecord>;
  /** The batch transaction in flight, if any: one at a time per partition, in offset order. */
  flushing: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  /** Set when a batch failed: the partition waits, then fetches again from its checkpoint. */
  failure: Error | null;
  /** Failures in a row, for the back-off. */
  failures: number;
  /** Incremented on every (re)assignment, so work of an older assignment is recognised. */
  generation: number;
}

/**
 * Reads `events` and `check-events` with read_committed (only records of committed Kafka
 * transactions) and applies them through the BatchRunner.
 *
 * Positions live in Postgres, not in Kafka: offsets are never committed to the group; on every
 * assignment the consumer seeks to the stored checkpoints. Until such a seek lands a fetch may
 * start earlier (at the log start for a partition never seen); the runner drops whatever is below
 * the checkpoint, so starting early costs time, never correctness. Fetched records are buffered
 * per partition and applied in large batches (see PartitionBuffer); a record that is buffered but
 * not applied when the process dies is simply fetched again from the checkpoint.
 */
export class ProjectionConsumer {
  private readonly consumer: Consumer;
  /** Last committed checkpoint per `topic:partition` known here: never ahead of the stored one. */
  private readonly positions = new Map<string, bigint>();
  private readonly partitions = new Map<string, PartitionState>();
  /** `topic:partition` of the current assignment. */
  private assigned = new Set<string>();
  private readonly transactions: Semaphore;
  private readonly maxBatchRecords: number;
  private readonly lingerMs: number;
  private readonly maxBufferedRecords: number;
  private bufferedRecords = 0;
  private readonly bufferWaiters: (() => void)[] = [];
  private running = false;
  private joined = false;
  private fatal: Error | null = null;

  constructor(
    kafka: Kafka,
    private readonly runner: BatchRunner,
    private readonly options: ProjectionConsumerOptions,
  ) {
    this.transactions = new Semaphore(options.concurrency ?? 3);
    this.maxBatchRecords = options.maxBatchRecords ?? 20000;
    this.lingerMs = options.lingerMs ?? 20;
    this.maxBufferedRecords = options.maxBufferedRecords ?? 100000;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
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
    });
    const { GROUP_JOIN, END_BATCH_PROCESS, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.assign(payload.memberAssignment);
    });
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      // KafkaJS reports fetches that held only transaction markers (or aborted records) this
      // way, never to eachBatch: the checkpoint still has to move past them.
      if (payload.batchSize !== 0 || !this.running) return;
      const key = `${payload.topic}:${payload.partition}`;
      // Also the first fetch after an assignment: a partition whose log ends in markers (or aborted
      // records) past its checkpoint would otherwise stay one step behind until new events come.
      const state = this.partitions.get(key) ?? (this.assigned.has(key) ? this.stateOf(payload.topic, payload.partition) : undefined);
      if (!state || state.failure) return;
      state.buffer.append([], BigInt(payload.lastOffset));
      this.schedule(state);
    });
    this.consumer.on(CRASH, ({ payload }) => {
      this.joined = false;
      if (!payload.restart) this.fatal = payload.error;
      this.options.logger.error(`projection consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
    });
  }

  /** The KafkaJS consumer, for health tracking. */
  get kafkaConsumer(): Consumer {
    return this.consumer;
  }

  /** Set when KafkaJS gave up on the consumer (a crash it does not restart from): nothing is fetched any more. */
  get fatalError(): Error | null {
    return this.fatal;
  }

  get isJoined(): boolean {
    return this.joined && this.running;
  }

  async start(): Promise<void> {
    for (const checkpoint of await this.runner.checkpointStore.all(this.runner.pool)) {
      this.positions.set(`${checkpoint.topic}:${checkpoint.partition}`, checkpoint.nextOffset);
    }
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.receive(payload),
    });
  }

  /** Leaves the group, then applies and commits what was already fetched. */
  async stop(): Promise<void> {
    this.running = false;
    for (const wake of this.bufferWaiters.splice(0)) wake();
    await this.consumer.disconnect();
    for (const state of this.partitions.values()) if (state.timer) clearTimeout(state.timer);
    await Promise.all([...this.partitions.values()].map((state) => this.drain(state)));
  }

  private async receive({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale()) return;
    const state = this.stateOf(batch.topic, batch.partition);
    // After a failed batch the partition ignores fetches until its retry seeks back to the checkpoint.
    if (state.failure) return;
    // Decoded as they arrive, so KafkaJS's message objects and the envelopes of check results
    // die young instead of waiting in the buffer for their batch (far less garbage collection).
    const records: DecodedRecord[] = new Array(batch.messages.length);
    for (let i = 0; i < records.length; i += 1) {
      const m = batch.messages[i];
      records[i] = decodeRecord({ topic: batch.topic, partition: batch.partition, offset: BigInt(m.offset), key: m.key, value: m.value, headers: m.headers });
    }
    const before = state.buffer.size;
    state.buffer.append(records, BigInt(batch.lastOffset()));
    this.bufferedRecords += state.buffer.size - before;
    resolveOffset(batch.lastOffset());
    this.schedule(state);
    await heartbeat();
    if (this.bufferedRecords > this.maxBufferedRecords) {
      // The buffers are full: every partition applies what it holds instead of lingering.
      for (const other of this.partitions.values()) if (!other.flushing && !other.failure) this.flush(other);
    }
    while (this.bufferedRecords > this.maxBufferedRecords && this.running) {
      await new Promise<void>((resolve) => this.bufferWaiters.push(resolve));
      await heartbeat();
    }
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const key = `${topic}:${partition}`;
    let state = this.partitions.get(key);
    if (!state) {
      state = { topic, partition, buffer: new PartitionBuffer<DecodedRecord>((d) => d.record.offset), flushing: null, timer: null, failure: null, failures: 0, generation: 0 };
      this.partitions.set(key, state);
    }
    return state;
  }

  /** Applies the buffer now when it is full, else after the linger time. */
  private schedule(state: PartitionState): void {
    if (state.flushing) return;
    if (state.buffer.size >= this.maxBatchRecords) {
      this.flush(state);
    } else if (!state.timer && !state.buffer.isEmpty) {
      state.timer = setTimeout(() => {
        state.timer = null;
        if (!state.flushing) this.flush(state);
      }, this.lingerMs);
    }
  }

  private flush(state: PartitionState): void {
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
    if (state.buffer.isEmpty) return;
    let generation = state.generation;
    state.flushing = this.transactions
      .run(async () => {
        // Taken only once a transaction is free: what arrived while the batch waited joins it, so
        // a backlog is applied in large batches (fewer rollup and monitor rows written per check).
        const taken = state.buffer.take(this.maxBatchRecords);
        if (!taken) return;
        generation = state.generation;
        this.release(taken.records.length);
        await this.apply(state, taken.records, taken.lastOffset);
      })
      .then(() => {
        state.failures = 0;
      })
      .catch((error: Error) => {
        if (generation !== state.generation) return;
        this.fail(state, error);
      })
      .finally(() => {
        state.flushing = null;
        if (this.running && !state.failure) this.schedule(state);
      });
  }

  private async apply(state: PartitionState, records: DecodedRecord[], lastOffset: bigint): Promise<void> {
    const started = performance.now();
    const result = await this.runner.runDecoded({ topic: state.topic, partition: state.partition, records, lastOffset });
    const key = `${state.topic}:${state.partition}`;
    if ((this.positions.get(key) ?? -1n) < result.nextOffset) this.positions.set(key, result.nextOffset);
    if (result.nextOffset > lastOffset + 1n && this.running) {
      // The stored checkpoint is ahead of what was fetched (a rebuild switched in, or another
      // member applied it): continue from there instead of fetching what is already applied.
      this.releaseBuffer(state);
      this.consumer.seek({ topic: state.topic, partition: state.partition, offset: result.nextOffset.toString() });
    }
    this.options.onBatch?.(state.topic, state.partition, result, performance.now() - started);
  }

  /**
   * A batch that could not be applied (after the runner's own retries of transient errors): the
   * records fetched for the partition are dropped and its fetching paused; after a back-off
   * (PARTITION_RETRY_BACKOFF, doubling with each failure in a row) the partition seeks back to its
   * stored checkpoint and goes on from there. Other partitions go on meanwhile. (Unpaused, KafkaJS
   * would fetch the same records again and again for nothing while the database is down.)
   */
  private fail(state: PartitionState, error: Error): void {
    state.failure = error;
    state.failures += 1;
    this.releaseBuffer(state);
    this.consumer.pause([{ topic: state.topic, partitions: [state.partition] }]);
    const delay = retryDelayMs(state.failures, PARTITION_RETRY_BACKOFF);
    this.options.logger.error(`${state.topic}[${state.partition}]: batch failed, retrying from the checkpoint in ${delay} ms: ${error.message}`);
    const generation = state.generation;
    const retry = setTimeout(() => {
      if (!this.running || generation !== state.generation) return;
      void this.runner.checkpointStore.all(this.runner.pool).then(
        (stored) => {
          if (!this.running || generation !== state.generation) return;
          const checkpoint = stored.find((c) => c.topic === state.topic && c.partition === state.partition);
          state.generation += 1;
          state.failure = null;
          this.releaseBuffer(state);
          this.consumer.seek({ topic: state.topic, partition: state.partition, offset: (checkpoint?.nextOffset ?? 0n).toString() });
          this.consumer.resume([{ topic: state.topic, partitions: [state.partition] }]);
        },
        (readError: Error) => this.fail(state, readError),
      );
    }, delay);
    retry.unref();
  }

  /** Waits for the partition's batch in flight, then applies what is left (shutdown). */
  private async drain(state: PartitionState): Promise<void> {
    while (state.flushing) await state.flushing;
    while (!state.failure && !state.buffer.isEmpty) {
      this.flush(state);
      await state.flushing;
    }
  }

  private releaseBuffer(state: PartitionState): void {
    this.release(state.buffer.size);
    state.buffer.clear();
  }

  private release(records: number): void {
    this.bufferedRecords -= records;
    if (this.bufferedRecords <= this.maxBufferedRecords) for (const wake of this.bufferWaiters.splice(0)) wake();
  }

  /**
   * A new assignment: buffers are dropped (their records are fetched again from the checkpoint),
   * failed partitions get another chance, and every assigned partition seeks to its checkpoint.
   */
  private assign(assignment: Record<string, number[]>): void {
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const partition of partitions) assigned.add(`${topic}:${partition}`);
    this.assigned = assigned;
    for (const [key, state] of this.partitions) {
      state.generation += 1;
      // Its retry belongs to the old generation and will not resume it.
      if (state.failure) this.consumer.resume([{ topic: state.topic, partitions: [state.partition] }]);
      state.failure = null;
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
      this.releaseBuffer(state);
      if (!assigned.has(key)) this.partitions.delete(key);
    }
    for (const key of assigned) {
      const known = this.positions.get(key);
      const [topic, partition] = splitKey(key);
      if (known !== undefined) this.consumer.seek({ topic, partition, offset: known.toString() });
    }
    // Another member may have moved these partitions on since we last held them.
    void this.runner.checkpointStore.all(this.runner.pool).then(
      (stored) => {
        for (const checkpoint of stored) {
          const key = `${checkpoint.topic}:${checkpoint.partition}`;
          const known = this.positions.get(key);
          if (!assigned.has(key) || (known !== undefined && known >= checkpoint.nextOffset)) continue;
          this.positions.set(key, checkpoint.nextOffset);
          const state = this.partitions.get(key);
          if (state) {
            state.generation += 1;
            this.releaseBuffer(state);
          }
          if (this.running) this.consumer.seek({ topic: checkpoint.topic, partition: checkpoint.partition, offset: checkpoint.nextOffset.toString() });
        }
      },
      (error: Error) => this.options.logger.warn(`could not read checkpoints after joining: ${error.message}`),
    );
  }
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf(':');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
