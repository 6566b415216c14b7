import type { ConsumerGroupStatusSource, PartitionProgress, PartitionProgressSource } from '@vinsight/health';
import type { PartitionPipeline, TopicAdmin } from '@vinsight/kafka';

/**
 * The command processor's input partitions as readiness judges them: the group's committed offset
 * (moved only by a committed transaction) against the end of `commands`, for the partitions this
 * member holds while its group is joined.
 */
export class InputPartitionsProgress implements PartitionProgressSource {
  constructor(
    readonly group: string,
    private readonly topic: string,
    private readonly admin: Pick<TopicAdmin, 'describeLag'>,
    private readonly membership: ConsumerGroupStatusSource,
    private readonly pipeline: Pick<PartitionPipeline<unknown, unknown>, 'idlePositions'>,
  ) {}

  async progress(): Promise<PartitionProgress[]> {
    const status = this.membership.consumerGroupStatus();
    const held = new Set(status.state === 'joined' ? (status.assignment[this.topic] ?? []) : []);
    if (held.size === 0) return [];
    const offsets = await this.admin.describeLag(this.group, this.topic);
    const idle = this.pipeline.idlePositions(this.topic);
    return offsets
      .filter((o) => held.has(o.partition))
      .map((o) => ({
        topic: this.topic,
        partition: o.partition,
        committed: BigInt(Math.max(o.committedOffset ?? o.logStartOffset, o.logStartOffset)),
        end: BigInt(o.highWatermark),
        idleAt: idle.get(o.partition),
      }));
  }
}
