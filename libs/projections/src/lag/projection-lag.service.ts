import type { Kafka } from 'kafkajs';
import { RenewingAdmin } from '@vinsight/kafka';
import type { Pool } from 'pg';
import { ProjectionTarget } from '../projection-target';
import { CheckpointStore } from '../checkpoints/checkpoint.store';
import { ParkedEventsRepository } from '../parking/parked-events.repository';

/** How far one partition's checkpoint is behind the end of its log. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** Next offset the projection will apply (its stored checkpoint; the log start when it has none). */
  checkpoint: number;
  /** End of the log (records of a Kafka transaction still open count until it ends). */
  highWatermark: number;
  /** highWatermark - checkpoint, never negative. */
  lag: number;
}

export interface TopicOffsets {
  partition: number;
  low: number;
  high: number;
}

/**
 * Projection lag per partition of both topics, from the stored checkpoints and the topics' end
 * offsets: what readiness, metrics and `projections status` report. One admin connection, opened
 * on first use and replaced after a failure (RenewingAdmin).
 */
export class ProjectionLagService {
  readonly projection: string;
  private readonly checkpoints: CheckpointStore;
  private readonly parked = new ParkedEventsRepository();
  private readonly parkedProjection: string;
  private readonly admin: RenewingAdmin;

  constructor(
    kafka: Kafka,
    private readonly pool: Pool,
    private readonly topics: readonly string[],
    target: ProjectionTarget = ProjectionTarget.live(),
  ) {
    this.projection = target.projection;
    this.checkpoints = new CheckpointStore(target);
    this.parkedProjection = target.parkedProjection;
    this.admin = new RenewingAdmin(kafka);
  }

  /** Parked events not replayed yet (`replayed_at IS NULL`): what readiness and `vinsight_parked_events` report. */
  parkedWaiting(): Promise<number> {
    return this.parked.countWaitingOn(this.pool, this.parkedProjection, this.topics);
  }

  async lag(): Promise<PartitionLag[]> {
    const [stored, offsets] = await Promise.all([this.checkpoints.all(this.pool), this.topicOffsets()]);
    const checkpointOf = new Map(stored.map((c) => [`${c.topic}:${c.partition}`, Number(c.nextOffset)]));
    const lags: PartitionLag[] = [];
    for (const [topic, partitions] of offsets) {
      for (const { partition, low, high } of partitions) {
        const checkpoint = Math.max(checkpointOf.get(`${topic}:${partition}`) ?? low, low);
        lags.push({ topic, partition, checkpoint, highWatermark: high, lag: Math.max(0, high - checkpoint) });
      }
    }
    return lags;
  }

  async topicOffsets(): Promise<Map<string, TopicOffsets[]>> {
    const entries = await this.admin.use((admin) =>
      Promise.all(
        this.topics.map(async (topic) => {
          const offsets = await admin.fetchTopicOffsets(topic);
          const list = offsets
            .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
            .sort((a, b) => a.partition - b.partition);
          return [topic, list] as const;
        }),
      ),
    );
    return new Map(entries);
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}
