import { PartitionProjectionLag, judgeProjectionLag } from './projection-lag.source';

const partition = (partition: number, lag: number): PartitionProjectionLag => ({
  topic: 'vinsight.events',
  partition,
  checkpoint: 100,
  highWatermark: 100 + lag,
  lag,
});

describe('judgeProjectionLag', () => {
  it('is healthy when every partition is within the limit', () => {
    expect(judgeProjectionLag([partition(0, 10), partition(1, 100)], 100)).toEqual({
      healthy: true,
      details: { totalLag: 110, maxPartitionLag: 100, maxLagEvents: 100, partitions: 2 },
    });
  });

  it('names the partitions over the limit, the worst first', () => {
    const verdict = judgeProjectionLag([partition(0, 150), partition(1, 5), partition(2, 900)], 100);
    expect(verdict.healthy).toBe(false);
    expect(verdict.details.message).toBe('projection lag 900 events is above the limit of 100 on 2 partition(s)');
    expect((verdict.details.behind as PartitionProjectionLag[]).map((p) => p.partition)).toEqual([2, 0]);
  });

  it('is healthy with no partitions yet', () => {
    expect(judgeProjectionLag([], 100).healthy).toBe(true);
  });
});
