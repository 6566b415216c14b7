import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { BatchResult, BatchRunner } from '../apply/batch-runner';

export interface ProjectionConsumerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionConsumerOptions {
  groupId: string;
  topics: string[];
  /** Partitions (of either topic) applied at the same time. */
  concurrency?: number;
  /** Upper bound of one fetch per partition, which is one batch transaction. */
  maxBytesPerPartition?: number;
  logger: ProjectionConsumerLogger;
  /** Called after each committed batch. */
  onBatch?: (topic: string, partition: number, result: BatchResult, durationMs: number) => void;
}

/**
 * Reads `events` and `check-events` (read_committed: only records of committed Kafka
 * transactions) and hands each fetched partition batch to the BatchRunner.
 *
 * Positions live in Postgres, not in Kafka: offsets are never committed to the group, and on
 * every assignment the consumer seeks to the stored checkpoints. Until such a seek lands a fetch
 * may start earlier (at the log start for a partition never seen); the runner drops whatever is
 * below the checkpoint, so starting too early costs time, never correctness.
 */
export class ProjectionConsumer {
  private readonly consumer: Consumer;
  /** Last known checkpoint per `topic:partition`: never ahead of the stored one. */
  private readonly positions = new Map<string, bigint>();
  private running = false;
  private joined = false;

  constructor(
    kafka: Kafka,
    private readonly runner: BatchRunner,
    private readonly options: ProjectionConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      // Small fetches decode faster in KafkaJS and keep each transaction short.
      maxBytesPerPartition: options.maxBytesPerPartition ?? 512 * 1024,
      maxBytes: 16 * 1024 * 1024,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      retry: { retries: 10, initialRetryTime: 300 },
    });
    const { GROUP_JOIN, END_BATCH_PROCESS, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      this.seekToCheckpoints(payload.memberAssignment);
    });
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      // KafkaJS reports fetches that held only transaction markers this way, never to eachBatch.
      if (payload.batchSize !== 0 || payload.firstOffset === null) return;
      void this.runner.checkpointStore
        .advancePastControlRecords(this.runner.pool, payload.topic, payload.partition, BigInt(payload.firstOffset), BigInt(payload.lastOffset))
        .catch((error: Error) => this.options.logger.warn(`could not move past transaction markers: ${error.message}`));
    });
    this.consumer.on(CRASH, ({ payload }) => {
      this.joined = false;
      this.options.logger.error(`projection consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
    });
  }

  /** The KafkaJS consumer, for health tracking. */
  get kafkaConsumer(): Consumer {
    return this.consumer;
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
      partitionsConsumedConcurrently: this.options.concurrency ?? 3,
      eachBatch: (payload) => this.handle(payload),
    });
  }

  /** Lets the batches in flight commit, then leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  private async handle({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const started = performance.now();
    const lastOffset = BigInt(batch.lastOffset());
    const result = await this.runner.run({
      topic: batch.topic,
      partition: batch.partition,
      lastOffset,
      records: batch.messages.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: BigInt(m.offset),
        key: m.key,
        value: m.value,
        headers: m.headers,
      })),
    });
    this.positions.set(`${batch.topic}:${batch.partition}`, result.nextOffset);
    if (result.nextOffset > lastOffset + 1n && !isStale()) {
      // The stored checkpoint is ahead of this fetch (a rebuild switched in, or another member
      // applied it): continue from there instead of fetching what is already applied.
      this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: result.nextOffset.toString() });
    } else {
      resolveOffset(batch.lastOffset());
    }
    await heartbeat();
    this.options.onBatch?.(batch.topic, batch.partition, result, performance.now() - started);
  }

  private seekToCheckpoints(assignment: Record<string, number[]>): void {
    const assigned: { topic: string; partition: number }[] = [];
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        assigned.push({ topic, partition });
        const known = this.positions.get(`${topic}:${partition}`);
        if (known !== undefined) this.consumer.seek({ topic, partition, offset: known.toString() });
      }
    }
    // Another member may have moved these partitions on since we last held them.
    void this.runner.checkpointStore.all(this.runner.pool).then(
      (stored) => {
        for (const checkpoint of stored) {
          const key = `${checkpoint.topic}:${checkpoint.partition}`;
          const known = this.positions.get(key);
          const mine = assigned.some((a) => a.topic === checkpoint.topic && a.partition === checkpoint.partition);
          if (!mine || (known !== undefined && known >= checkpoint.nextOffset)) continue;
          this.positions.set(key, checkpoint.nextOffset);
          if (this.running) this.consumer.seek({ topic: checkpoint.topic, partition: checkpoint.partition, offset: checkpoint.nextOffset.toString() });
        }
      },
      (error: Error) => this.options.logger.warn(`could not read checkpoints after joining: ${error.message}`),
    );
  }
}
