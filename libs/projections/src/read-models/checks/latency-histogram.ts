/**
 * The bucket bounds of the rollup tables' latency histograms, as `latency_histogram_bounds()`
 * in migration 000006 defines them (an integration test compares the two). Bucket k (1-based)
 * counts response times r with bounds[k-1] <= r < bounds[k]; the last bucket runs to 600000 ms.
 */
export const LATENCY_HISTOGRAM_BOUNDS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 125, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000,
  2500, 3000, 4000, 5000, 6000, 8000, 10000, 12500, 15000, 20000, 25000, 30000, 40000, 50000, 60000, 80000, 100000, 125000, 150000, 200000,
  250000, 300000, 400000, 500000,
];

export const LATENCY_HISTOGRAM_BUCKETS = LATENCY_HISTOGRAM_BOUNDS.length;

/** Postgres's `width_bucket(ms, latency_histogram_bounds())`: the 1-based bucket of a response time. */
export function latencyBucketOf(responseTimeMs: number): number {
  let low = 0;
  let high = LATENCY_HISTOGRAM_BUCKETS;
  // the number of bounds <= responseTimeMs
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (LATENCY_HISTOGRAM_BOUNDS[middle] <= responseTimeMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A histogram in Postgres's array literal form, `{0,3,1,...}`. */
export const histogramLiteral = (counts: ArrayLike<number>): string => `{${Array.prototype.join.call(counts, ',')}}`;
