import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { ConsistencyPosition } from '@vinsight/contracts';
import { CheckpointNotice, READ_MODELS_PROJECTION } from '@vinsight/database';
import { topicNames } from '@vinsight/kafka';
import type { Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadModelsDatabase } from '../database/read-models.database';
import { ReadTarget } from '../database/replica-router';
import { ConsistencyTimeoutError } from '../errors/read-api.errors';
import { ReadModelListener } from '../notifications/read-model.listener';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';

const CHECKPOINTS_SQL = `SELECT topic, next_offset::text AS next_offset FROM projection_checkpoints
  WHERE projection = $1 AND partition = $2 AND topic = ANY($3::text[])`;

/** A request waiting for its position, woken by a notification that may have brought it. */
interface Sleeper {
  partition: number;
  required: ReadonlyMap<string, bigint>;
  wake: () => void;
}

/**
 * Read-your-writes (openapi.yaml): a position is included once, for its partition, the
 * projection's checkpoint (next offset to apply) is past the position's offsets on `events` and
 * `check-events`. The replica is used when it already includes the position; otherwise the
 * primary's checkpoints are read again each time the projector notifies a checkpoint of that
 * partition moving past one of those offsets (pushed, one listener per process), or every
 * `consistencyPollMs` while the listener is down, until CONSISTENCY_WAIT_MS has passed.
 *
 * What the notifications told is also kept (the highest checkpoint heard per partition and
 * topic, forgotten whenever the listener reconnects): a position they show included needs no
 * query at all, which at a few hundred token reads a second is most of the pool's work, and while
 * they have told where a partition stands a position not yet included is waited for without a
 * query either (the notification of any later commit wakes it). They come
 * from the projector's committed transactions; any database user could send one too, which could
 * only make a read answer before its position (authentication still reads the database).
 */
@Injectable()
export class ConsistencyWaiter {
  private readonly topics: { events: string; checkEvents: string };
  private readonly sleepers = new Set<Sleeper>();
  /** `<partition>:<topic>` -> the highest next offset notified since the listener connected. */
  private readonly heard = new Map<string, bigint>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings,
    private readonly database: ReadModelsDatabase,
    private readonly listener: ReadModelListener,
  ) {
    const names = topicNames(config.kafka.topicPrefix);
    this.topics = { events: names.events, checkEvents: names.checkEvents };
    listener.subscribe({
      checkpoint: (notice) => this.checkpointMoved(notice),
      // Connected: what moved while it was down was not heard. Lost: back to polling.
      listening: () => {
        this.heard.clear();
        this.wakeAll();
      },
    });
  }

  async targetIncluding(position: ConsistencyPosition, preferred: ReadTarget): Promise<ReadTarget> {
    const required = this.requiredOffsets(position);
    if (required.size === 0) return preferred;
    const deadline = performance.now() + this.config.consistencyWaitMs;
    const replica = this.database.replicaPool;
    if (preferred === 'replica' && replica && (await this.includes(replica, position.partition, required).catch(() => false)))
      return 'replica';
    for (;;) {
      if (this.listener.up && this.heardIncludes(position.partition, required)) return 'primary';
      // Registered before the read, so a notification arriving during it is not lost.
      const sleeper = this.listener.up ? this.sleeper(position.partition, required) : null;
      try {
        // Heard of this partition on every topic: the checkpoints are where the notifications
        // said, but for commits whose notification is on its way and will wake the sleeper, so
        // reading them would tell nothing more (most token reads arrive before their position is
        // projected: this is a query fewer for each).
        const known = sleeper !== null && this.heardOf(position.partition, required);
        if (!known && (await this.includes(this.database.primaryPool, position.partition, required))) return 'primary';
        const left = deadline - performance.now();
        if (left <= 0) throw new ConsistencyTimeoutError(1);
        await (sleeper ? sleeper.woken(left) : sleep(Math.min(this.settings.consistencyPollMs, left)));
        if (sleeper && this.listener.up && this.heardIncludes(position.partition, required)) return 'primary';
      } finally {
        if (sleeper) this.sleepers.delete(sleeper.entry);
      }
    }
  }

  private requiredOffsets(position: ConsistencyPosition): Map<string, bigint> {
    const required = new Map<string, bigint>();
    if (position.eventsOffset !== undefined) required.set(this.topics.events, BigInt(position.eventsOffset));
    if (position.checkEventsOffset !== undefined) required.set(this.topics.checkEvents, BigInt(position.checkEventsOffset));
    return required;
  }

  private sleeper(partition: number, required: ReadonlyMap<string, bigint>) {
    let wake!: () => void;
    const awake = new Promise<void>((resolve) => (wake = resolve));
    const entry: Sleeper = { partition, required, wake };
    this.sleepers.add(entry);
    return {
      entry,
      woken: (timeoutMs: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          void awake.then(() => {
            clearTimeout(timer);
            resolve();
          });
        }),
    };
  }

  private checkpointMoved(notice: CheckpointNotice): void {
    const key = `${notice.partition}:${notice.topic}`;
    if ((this.heard.get(key) ?? -1n) < notice.nextOffset) this.heard.set(key, notice.nextOffset);
    for (const sleeper of this.sleepers) {
      const offset = sleeper.required.get(notice.topic);
      if (sleeper.partition === notice.partition && offset !== undefined && notice.nextOffset > offset) sleeper.wake();
    }
  }

  /** Whether a notification has told where each of these topics' checkpoints of the partition stands. */
  private heardOf(partition: number, required: ReadonlyMap<string, bigint>): boolean {
    return [...required.keys()].every((topic) => this.heard.has(`${partition}:${topic}`));
  }

  private heardIncludes(partition: number, required: ReadonlyMap<string, bigint>): boolean {
    return [...required].every(([topic, offset]) => (this.heard.get(`${partition}:${topic}`) ?? -1n) > offset);
  }

  private wakeAll(): void {
    for (const sleeper of this.sleepers) sleeper.wake();
  }

  private async includes(pool: Pool, partition: number, required: ReadonlyMap<string, bigint>): Promise<boolean> {
    const { rows } = await pool.query<{ topic: string; next_offset: string }>(CHECKPOINTS_SQL, [
      READ_MODELS_PROJECTION,
      partition,
      [...required.keys()],
    ]);
    return [...required].every(([topic, offset]) => rows.some((row) => row.topic === topic && BigInt(row.next_offset) > offset));
  }
}
