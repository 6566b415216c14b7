import { histogramLiteral, LATENCY_HISTOGRAM_BOUNDS, LATENCY_HISTOGRAM_BUCKETS, latencyBucketOf } from './latency-histogram';

describe('latency histogram buckets', () => {
  it('has the 56 buckets of migration 000006', () => {
    expect(LATENCY_HISTOGRAM_BUCKETS).toBe(56);
    expect(LATENCY_HISTOGRAM_BOUNDS[0]).toBe(0);
    expect(LATENCY_HISTOGRAM_BOUNDS[55]).toBe(500000);
  });

  it.each([
    [0, 1],
    [1, 2],
    [7, 7],
    [9, 8],
    [10, 9],
    [124, 19],
    [125, 20],
    [999, 28],
    [1000, 29],
    [499999, 55],
    [500000, 56],
    [600000, 56],
  ])('puts %i ms in bucket %i', (ms, bucket) => {
    expect(latencyBucketOf(ms)).toBe(bucket);
  });

  it('puts every bound in its own bucket and the value below it in the one before', () => {
    LATENCY_HISTOGRAM_BOUNDS.forEach((bound, i) => {
      expect(latencyBucketOf(bound)).toBe(i + 1);
      if (i > 0) expect(latencyBucketOf(bound - 1)).toBe(i);
    });
  });

  it('writes Postgres array literals', () => {
    expect(histogramLiteral(new Int32Array([1, 0, 2]))).toBe('{1,0,2}');
  });
});
