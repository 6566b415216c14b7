import { retentionCutoffs } from './retention-policy';

describe('retentionCutoffs', () => {
  const now = new Date('2026-06-30T12:00:00.000Z');

  it('trims raw checks per plan and rollups after 400 days', () => {
    const cutoffs = retentionCutoffs(now);
    expect(cutoffs.checksBefore.free.toISOString()).toBe('2026-06-23T12:00:00.000Z');
    expect(cutoffs.checksBefore.pro.toISOString()).toBe('2026-04-01T12:00:00.000Z');
    expect(cutoffs.checksBefore.enterprise.toISOString()).toBe('2025-05-26T12:00:00.000Z');
    expect(cutoffs.rollupsBefore.toISOString()).toBe('2025-05-26T12:00:00.000Z');
  });

  it('drops only partitions whose whole day is past the longest retention', () => {
    // 2025-05-26 12:00 is the cut-off: the partition of 2025-05-25 is entirely older, 2025-05-26 is not
    expect(retentionCutoffs(now).dropPartitionsBefore).toBe('2025-05-26');
  });
});
