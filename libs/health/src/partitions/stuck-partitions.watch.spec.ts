import { consumerLag } from './stuck-partitions.indicator';
import { PartitionProgress } from './partition-progress.source';
import { StuckPartitionsWatch } from './stuck-partitions.watch';

const GROUP = { group: 'vinsight-core.command-processor' };
const at = (partition: number, committed: number, end: number, idleAt?: number): PartitionProgress => ({
  topic: 'vinsight.commands',
  partition,
  committed: BigInt(committed),
  end: BigInt(end),
  ...(idleAt === undefined ? {} : { idleAt: BigInt(idleAt) }),
});
const SECOND = 1000;

describe('StuckPartitionsWatch (60 s, fixed clock)', () => {
  it('names a partition whose committed offset stands still with input waiting, once the limit has passed', () => {
    const watch = new StuckPartitionsWatch(60 * SECOND);
    expect(watch.observe(GROUP, [at(3, 41, 57)], 0)).toEqual({ partitions: 1, pending: 1, stuck: [] });
    expect(watch.observe(GROUP, [at(3, 41, 57)], 59 * SECOND).stuck).toEqual([]);
    expect(watch.observe(GROUP, [at(3, 41, 60)], 63 * SECOND)).toEqual({
      partitions: 1,
      pending: 1,
      stuck: [
        { group: GROUP.group, topic: 'vinsight.commands', partition: 3, committedOffset: '41', endOffset: '60', stuckForSeconds: 63 },
      ],
    });
  });

  it('never calls a busy partition stuck while it moves, however long the backlog', () => {
    const watch = new StuckPartitionsWatch(60 * SECOND);
    for (let second = 0; second <= 600; second += 30) {
      expect(watch.observe(GROUP, [at(0, 1000 * second, 1000 * second + 50000)], second * SECOND).stuck).toEqual([]);
    }
  });

  it('starts counting again when the partition moves, even by one record', () => {
    const watch = new StuckPartitionsWatch(60 * SECOND);
    watch.observe(GROUP, [at(1, 10, 20)], 0);
    watch.observe(GROUP, [at(1, 11, 20)], 50 * SECOND);
    expect(watch.observe(GROUP, [at(1, 11, 20)], 100 * SECOND).stuck).toEqual([]);
    expect(watch.observe(GROUP, [at(1, 11, 20)], 110 * SECOND).stuck).toMatchObject([{ partition: 1, stuckForSeconds: 60 }]);
  });

  it('never calls an idle partition stuck: nothing waiting, or only transaction markers past what it read', () => {
    const watch = new StuckPartitionsWatch(60 * SECOND);
    for (const now of [0, 120 * SECOND, 600 * SECOND]) {
      expect(watch.observe(GROUP, [at(0, 57, 57), at(1, 41, 42, 42)], now)).toEqual({ partitions: 2, pending: 0, stuck: [] });
    }
  });

  it('counts from the first time input was seen waiting, not from when the offset last moved', () => {
    const watch = new StuckPartitionsWatch(60 * SECOND);
    watch.observe(GROUP, [at(2, 41, 41)], 0);
    watch.observe(GROUP, [at(2, 41, 45)], 300 * SECOND);
    expect(watch.observe(GROUP, [at(2, 41, 45)], 330 * SECOND).stuck).toEqual([]);
  });

  it('forgets a partition this process no longer holds, and a member that reads but does not commit is stuck', () => {
    const watch = new StuckPartitionsWatch(60 * SECOND);
    watch.observe(GROUP, [at(0, 5, 9), at(1, 5, 9)], 0);
    watch.observe(GROUP, [at(1, 5, 9)], 30 * SECOND);
    watch.observe(GROUP, [at(0, 5, 9), at(1, 5, 9, 7)], 61 * SECOND);
    const { stuck } = watch.observe(GROUP, [at(0, 5, 9), at(1, 5, 9)], 70 * SECOND);
    expect(stuck.map((s) => s.partition)).toEqual([1]);
  });

  it('keeps groups apart and names the projection of a projector group, the longest stuck first', () => {
    const watch = new StuckPartitionsWatch(5 * SECOND);
    const projector = { group: 'vinsight-core.projector', projection: 'read-models' };
    watch.observe(GROUP, [at(4, 1, 2)], 0);
    watch.observe(projector, [{ topic: 'vinsight.events', partition: 4, committed: 1n, end: 2n }], 3 * SECOND);
    expect(watch.observe(GROUP, [at(4, 1, 2)], 10 * SECOND).stuck).toMatchObject([{ group: GROUP.group, stuckForSeconds: 10 }]);
    expect(watch.observe(projector, [{ topic: 'vinsight.events', partition: 4, committed: 1n, end: 2n }], 10 * SECOND).stuck).toEqual([
      {
        group: 'vinsight-core.projector',
        projection: 'read-models',
        topic: 'vinsight.events',
        partition: 4,
        committedOffset: '1',
        endOffset: '2',
        stuckForSeconds: 7,
      },
    ]);
    const both = watch.observe(GROUP, [at(5, 0, 1), at(4, 1, 2)], 20 * SECOND);
    expect(both.stuck.map((s) => s.partition)).toEqual([4]);
  });
});

describe('consumerLag', () => {
  it('counts records after the committed offset, or after where an idle consumer waits', () => {
    expect(consumerLag({ topic: 't', partition: 0, committed: 10n, end: 15n })).toBe(5);
    expect(consumerLag({ topic: 't', partition: 0, committed: 10n, end: 12n, idleAt: 12n })).toBe(0);
    expect(consumerLag({ topic: 't', partition: 0, committed: 10n, end: 10n })).toBe(0);
  });
});
