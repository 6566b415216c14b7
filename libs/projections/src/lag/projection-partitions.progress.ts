import type { ConsumerGroupStatusSource, PartitionProgress, PartitionProgressSource } from '@vinsight/health';
import type { ProjectionLagService } from './projection-lag.service';

/**
 * The projector's partitions as readiness judges them: the stored checkpoints (moved only by a
 * committed batch, and past transaction markers too) against the ends of both topics, for the
 * partitions this member holds while its group is joined.
 */
export class ProjectionPartitionsProgress implements PartitionProgressSource {
  readonly projection: string;

  constructor(
    readonly group: string,
    private readonly lag: Pick<ProjectionLagService, 'lag' | 'projection'>,
    private readonly membership: ConsumerGroupStatusSource,
  ) {
    this.projection = lag.projection;
  }

  async progress(): Promise<PartitionProgress[]> {
    const status = this.membership.consumerGroupStatus();
    if (status.state !== 'joined') return [];
    const held = new Set(Object.entries(status.assignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`)));
    if (held.size === 0) return [];
    const partitions = await this.lag.lag();
    return partitions
      .filter((p) => held.has(`${p.topic}:${p.partition}`))
      .map((p) => ({ topic: p.topic, partition: p.partition, committed: BigInt(p.checkpoint), end: BigInt(p.highWatermark) }));
  }
}
