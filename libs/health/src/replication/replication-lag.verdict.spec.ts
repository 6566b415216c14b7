import { ReplicationLag } from './replication-lag.query';
import { judgeReplicationLag, replayWaitsForPrimaryFlush } from './replication-lag.verdict';

const limits = { maxLagSeconds: 10, maxLagBytes: 1000 };

function lag(overrides: Partial<ReplicationLag> = {}): ReplicationLag {
  return {
    inRecovery: true,
    receiving: true,
    replayPaused: false,
    seconds: 0,
    bytes: 0,
    receiveLsn: '0/100',
    replayLsn: '0/100',
    ...overrides,
  };
}

describe('judgeReplicationLag', () => {
  it('is healthy for a caught-up standby and shows figures and limits', () => {
    expect(judgeReplicationLag(lag(), limits)).toEqual({
      healthy: true,
      details: {
        lagSeconds: 0,
        lagBytes: 0,
        maxLagSeconds: 10,
        maxLagBytes: 1000,
        standby: true,
        receiving: true,
        replayPaused: false,
      },
    });
  });

  it('fails above the seconds limit and names the value', () => {
    const verdict = judgeReplicationLag(lag({ seconds: 12.34567, bytes: 10 }), limits);
    expect(verdict.healthy).toBe(false);
    expect(verdict.details.lagSeconds).toBe(12.346);
    expect(verdict.details.message).toBe('replication lag 12.346 s is above the limit of 10 s');
  });

  it('fails above the bytes limit, counting WAL not yet received from the primary', () => {
    const verdict = judgeReplicationLag(lag({ bytes: 10, bytesBehindPrimary: 5000 }), limits);
    expect(verdict.healthy).toBe(false);
    expect(verdict.details.lagBytes).toBe(5000);
    expect(verdict.details.message).toBe('replication lag 5000 bytes is above the limit of 1000 bytes');
  });

  it('says when the lag comes with a paused replay', () => {
    const verdict = judgeReplicationLag(lag({ seconds: 30, bytes: 200, replayPaused: true }), limits);
    expect(verdict.details.message).toBe('replication lag 30 s is above the limit of 10 s; WAL replay is paused');
  });

  it('stays healthy while paused with nothing to replay, and says it is paused', () => {
    const verdict = judgeReplicationLag(lag({ replayPaused: true }), limits);
    expect(verdict).toMatchObject({ healthy: true, details: { message: 'WAL replay is paused' } });
  });

  it('fails when seconds are unknown while WAL waits to be replayed', () => {
    expect(judgeReplicationLag(lag({ seconds: null, bytes: 1 }), limits).healthy).toBe(false);
    expect(judgeReplicationLag(lag({ seconds: null, bytes: 0 }), limits).healthy).toBe(true);
  });

  it('is healthy at exactly the limits', () => {
    expect(judgeReplicationLag(lag({ seconds: 10, bytes: 1000 }), limits).healthy).toBe(true);
  });
});

describe('replayWaitsForPrimaryFlush', () => {
  it('is true for a streaming standby holding part of a record while its last commit ages', () => {
    expect(replayWaitsForPrimaryFlush(lag({ seconds: 223, bytes: 2200 }), { ...limits, maxLagBytes: 16_000_000 })).toBe(true);
    expect(replayWaitsForPrimaryFlush(lag({ seconds: null, bytes: 10 }), limits)).toBe(true);
  });

  it('is false when nothing is pending, when the age is within the limit, or when the standby is really behind', () => {
    expect(replayWaitsForPrimaryFlush(lag({ seconds: 223, bytes: 0 }), limits)).toBe(false);
    expect(replayWaitsForPrimaryFlush(lag({ seconds: 9, bytes: 10 }), limits)).toBe(false);
    expect(replayWaitsForPrimaryFlush(lag({ seconds: 223, bytes: 1001 }), limits)).toBe(false);
  });

  it('is false when replay is paused, no receiver runs, or the server is not a standby', () => {
    expect(replayWaitsForPrimaryFlush(lag({ seconds: 223, bytes: 10, replayPaused: true }), limits)).toBe(false);
    expect(replayWaitsForPrimaryFlush(lag({ seconds: 223, bytes: 10, receiving: false }), limits)).toBe(false);
    expect(replayWaitsForPrimaryFlush(lag({ seconds: 223, bytes: 10, inRecovery: false }), limits)).toBe(false);
  });
});
