import type { ConsumerGroupStatusSource, PartitionProgress, PartitionProgressSource } from '@vinsight/health';
import type { GroupOffsetsReader, TransactionalProcessor } from '@vinsight/kafka';

/**
 * The command processor's input partitions as readiness judges them: the group's committed offset
 * (moved only by a committed transaction) against the end of `commands`, for the partitions this
 * member holds while its group is joined.
 */
export class InputPartitionsProgress implements PartitionProgressSource {
  constructor(
    readonly group: string,
    private readonly topic: string,
    private readonly offsets: Pick<GroupOffsetsReader, 'read'>,
    private readonly membership: ConsumerGroupStatusSource,
    private readonly processor: Pick<TransactionalProcessor, 'idlePositions'>,
  ) {}

  async progress(): Promise<PartitionProgress[]> {
    const status = this.membership.consumerGroupStatus();
    const held = new Set(status.state === 'joined' ? (status.assignment[this.topic] ?? []) : []);
    if (held.size === 0) return [];
    const offsets = await this.offsets.read();
    const idle = this.processor.idlePositions();
    return offsets
      .filter((o) => held.has(o.partition))
      .map((o) => ({ topic: this.topic, partition: o.partition, committed: o.committed, end: o.end, idleAt: idle.get(o.partition) }));
  }
}
