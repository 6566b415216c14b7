import { histogramPercentile, sumHistograms } from './latency-histogram';

const BOUNDS = [0, 10, 100, 1000];

describe('latency histograms', () => {
  it('sums histograms bucket by bucket', () => {
    expect(
      sumHistograms(
        [
          [1, 2, 3, 4],
          ['5', '0', '1', '0'],
        ],
        4,
      ),
    ).toEqual([6, 2, 4, 4]);
    expect(sumHistograms([], 4)).toEqual([0, 0, 0, 0]);
  });

  it('interpolates the percentile inside its bucket', () => {
    // 10 values: 5 in [10, 100), 5 in [100, 1000). p50 = rank 5, the end of the second bucket.
    expect(histogramPercentile([0, 5, 5, 0], 0.5, BOUNDS)).toBe(100);
    expect(histogramPercentile([0, 5, 5, 0], 0.95, BOUNDS)).toBeCloseTo(100 + 900 * (4.5 / 5));
    expect(histogramPercentile([0, 0, 0, 2], 0.95, BOUNDS)).toBeCloseTo(1000 + 599000 * 0.95);
    expect(histogramPercentile([4, 0, 0, 0], 0, BOUNDS)).toBe(0);
  });

  it('is null for an empty histogram and refuses a wrong bucket count', () => {
    expect(histogramPercentile([0, 0, 0, 0], 0.95, BOUNDS)).toBeNull();
    expect(() => histogramPercentile([1, 2], 0.95, BOUNDS)).toThrow(/expected 4 buckets/);
  });
});
