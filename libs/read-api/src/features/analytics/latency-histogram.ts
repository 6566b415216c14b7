/**
 * The latency histograms of the rollups (migrations/000006_latency_histogram.up.sql), merged and
 * read here rather than by latency_histogram_sum/_percentile in SQL: the plpgsql aggregate costs
 * the database ~2 ms per 30-day uptime query, summing ~40 arrays in JavaScript costs microseconds.
 * The percentile follows latency_histogram_percentile exactly (a test compares the two); the
 * bucket bounds are read from the database's latency_histogram_bounds(), never copied.
 */
export const MAX_RESPONSE_TIME_MS = 600000;

export function sumHistograms(histograms: readonly (readonly (number | string)[])[], buckets: number): number[] {
  const total = new Array<number>(buckets).fill(0);
  for (const histogram of histograms) {
    for (let bucket = 0; bucket < buckets; bucket++) total[bucket] += Number(histogram[bucket] ?? 0);
  }
  return total;
}

/** The `fraction` percentile in ms, interpolated inside its bucket; null for an empty histogram. */
export function histogramPercentile(histogram: readonly number[], fraction: number, bounds: readonly number[]): number | null {
  if (histogram.length !== bounds.length) throw new Error(`expected ${bounds.length} buckets, got ${histogram.length}`);
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const target = fraction * total;
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    const count = histogram[bucket];
    if (count > 0 && seen + count >= target) {
      const lower = bounds[bucket];
      const upper = bucket < bounds.length - 1 ? bounds[bucket + 1] : MAX_RESPONSE_TIME_MS;
      return lower + ((upper - lower) * Math.max(target - seen, 0)) / count;
    }
    seen += count;
  }
  return MAX_RESPONSE_TIME_MS;
}
