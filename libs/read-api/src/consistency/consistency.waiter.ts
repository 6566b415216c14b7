import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { ConsistencyPosition } from '@vinsight/contracts';
import { topicNames } from '@vinsight/kafka';
import type { Pool } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadModelsDatabase } from '../database/read-models.database';
import { ReadTarget } from '../database/replica-router';
import { ConsistencyTimeoutError } from '../errors/read-api.errors';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';

/** The projection whose checkpoints say what the read models include. */
export const READ_MODELS_PROJECTION = 'read-models';

const CHECKPOINTS_SQL = `SELECT topic, next_offset::text AS next_offset FROM projection_checkpoints
  WHERE projection = $1 AND partition = $2 AND topic = ANY($3::text[])`;

/**
 * Read-your-writes (CONTRACT §5): a position is included once, for its partition, the
 * projection's checkpoint (next offset to apply) is past the command's offsets on `events` and
 * `check-events`. The replica is used when it already includes the position; otherwise the
 * primary's checkpoints are polled until they do, or until CONSISTENCY_WAIT_MS has passed.
 */
@Injectable()
export class ConsistencyWaiter {
  private readonly topics: { events: string; checkEvents: string };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings,
    private readonly database: ReadModelsDatabase,
  ) {
    const names = topicNames(config.kafka.topicPrefix);
    this.topics = { events: names.events, checkEvents: names.checkEvents };
  }

  async targetIncluding(position: ConsistencyPosition, preferred: ReadTarget): Promise<ReadTarget> {
    const deadline = performance.now() + this.config.consistencyWaitMs;
    const replica = this.database.replicaPool;
    if (preferred === 'replica' && replica && (await this.includes(replica, position).catch(() => false))) return 'replica';
    for (;;) {
      if (await this.includes(this.database.primaryPool, position)) return 'primary';
      const left = deadline - performance.now();
      if (left <= 0) throw new ConsistencyTimeoutError(1);
      await sleep(Math.min(this.settings.consistencyPollMs, left));
    }
  }

  private async includes(pool: Pool, position: ConsistencyPosition): Promise<boolean> {
    const required = new Map<string, bigint>();
    if (position.eventsOffset !== undefined) required.set(this.topics.events, BigInt(position.eventsOffset));
    if (position.checkEventsOffset !== undefined) required.set(this.topics.checkEvents, BigInt(position.checkEventsOffset));
    if (required.size === 0) return true;
    const { rows } = await pool.query<{ topic: string; next_offset: string }>(CHECKPOINTS_SQL, [
      READ_MODELS_PROJECTION,
      position.partition,
      [...required.keys()],
    ]);
    return [...required].every(([topic, offset]) => rows.some((row) => row.topic === topic && BigInt(row.next_offset) > offset));
  }
}
