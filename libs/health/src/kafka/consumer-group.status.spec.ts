import { ConsumerGroupStatus, judgeConsumerGroup } from './consumer-group.status';

const status = (overrides: Partial<ConsumerGroupStatus>): ConsumerGroupStatus => ({
  groupId: 'g',
  state: 'joined',
  assignment: {},
  since: 1000,
  ...overrides,
});

describe('judgeConsumerGroup', () => {
  it('is healthy once joined, counting the assigned partitions', () => {
    const verdict = judgeConsumerGroup(status({ assignment: { a: [0, 1], b: [3] } }), 3000, 30000);
    expect(verdict).toEqual({ healthy: true, details: { state: 'joined', assignedPartitions: 3, forMs: 2000 } });
  });

  it('is healthy when joined with no partitions (more members than partitions)', () => {
    expect(judgeConsumerGroup(status({}), 1000, 30000).healthy).toBe(true);
  });

  it('tolerates a rebalance within the grace, not beyond', () => {
    expect(judgeConsumerGroup(status({ state: 'rebalancing' }), 31000, 30000).healthy).toBe(true);
    expect(judgeConsumerGroup(status({ state: 'rebalancing' }), 31001, 30000).healthy).toBe(false);
  });

  it.each(['starting', 'crashed', 'stopped'] as const)('is not healthy while %s', (state) => {
    expect(judgeConsumerGroup(status({ state, error: state === 'crashed' ? 'boom' : undefined }), 1000, 30000)).toMatchObject({
      healthy: false,
      details: { state },
    });
  });
});

describe('judgeConsumerGroup with heartbeats', () => {
  it('fails a joined member that has not heartbeated for its session timeout', () => {
    const joined = status({ lastHeartbeat: 1000, sessionTimeoutMs: 30000 });
    expect(judgeConsumerGroup(joined, 31000, 30000).healthy).toBe(true);
    expect(judgeConsumerGroup(joined, 31001, 30000)).toMatchObject({
      healthy: false,
      details: { message: 'no heartbeat for 30001 ms (session timeout 30000 ms)' },
    });
  });
});
