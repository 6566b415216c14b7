import { CheckRow } from './check-row';
import { LATENCY_HISTOGRAM_BUCKETS, latencyBucketOf } from './latency-histogram';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What a set of checks adds to one rollup row. */
export interface RollupDelta {
  readonly tenantId: string;
  readonly monitorId: string;
  readonly bucketStartMs: number;
  totalChecks: number;
  upChecks: number;
  downChecks: number;
  errorChecks: number;
  responseTimeSumMs: number;
  responseTimeCount: number;
  /** Checks inside a maintenance window: counted here only, not in the counts or latencies above. */
  maintenanceChecks: number;
  readonly histogram: Int32Array;
}

export type RollupGranularity = 'hour' | 'day';

/**
 * Adds checks up per monitor and hour (or day, UTC), with their latency histograms: what these
 * checks add to the rollup rows. Sorted by key, so that concurrent writers lock rows in one order.
 */
export function rollupDeltas(rows: readonly CheckRow[], granularity: RollupGranularity): RollupDelta[] {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  // Per monitor, the bucket of its previous row first: a batch's checks of one monitor mostly
  // fall in the same hour, so most rows need one map lookup.
  const byMonitor = new Map<string, { last: RollupDelta; buckets: Map<number, RollupDelta> }>();
  const deltas: RollupDelta[] = [];
  const newDelta = (row: CheckRow, bucketStartMs: number): RollupDelta => {
    const delta: RollupDelta = {
      tenantId: row.tenantId,
      monitorId: row.monitorId,
      bucketStartMs,
      totalChecks: 0,
      upChecks: 0,
      downChecks: 0,
      errorChecks: 0,
      responseTimeSumMs: 0,
      responseTimeCount: 0,
      maintenanceChecks: 0,
      histogram: new Int32Array(LATENCY_HISTOGRAM_BUCKETS),
    };
    deltas.push(delta);
    return delta;
  };
  for (const row of rows) {
    const bucketStartMs = Math.floor(row.checkedAtMs / size) * size;
    const monitor = byMonitor.get(row.monitorKey);
    let delta: RollupDelta;
    if (monitor === undefined) {
      delta = newDelta(row, bucketStartMs);
      byMonitor.set(row.monitorKey, { last: delta, buckets: new Map([[bucketStartMs, delta]]) });
    } else if (monitor.last.bucketStartMs === bucketStartMs) {
      delta = monitor.last;
    } else {
      delta = monitor.buckets.get(bucketStartMs) ?? newDelta(row, bucketStartMs);
      monitor.buckets.set(bucketStartMs, delta);
      monitor.last = delta;
    }
    if (row.inMaintenance) {
      delta.maintenanceChecks += 1;
      continue;
    }
    delta.totalChecks += 1;
    if (row.status === 'up') delta.upChecks += 1;
    else if (row.status === 'down') delta.downChecks += 1;
    else delta.errorChecks += 1;
    if (row.responseTimeMs !== null) {
      delta.responseTimeSumMs += row.responseTimeMs;
      delta.responseTimeCount += 1;
      delta.histogram[latencyBucketOf(row.responseTimeMs) - 1] += 1;
    }
  }
  return deltas.sort(compareRollupKeys);
}

/**
 * The daily deltas of checks, from their hourly deltas (as rollupDeltas(rows, 'hour') returns
 * them, sorted): the same rows as rollupDeltas(rows, 'day'), from a few dozen deltas per monitor
 * instead of every check again. Sorted by key, as the hourly ones.
 */
export function dailyFromHourly(hourly: readonly RollupDelta[]): RollupDelta[] {
  const daily: RollupDelta[] = [];
  let day: RollupDelta | undefined;
  for (const hour of hourly) {
    const bucketStartMs = Math.floor(hour.bucketStartMs / DAY_MS) * DAY_MS;
    if (day === undefined || day.bucketStartMs !== bucketStartMs || day.monitorId !== hour.monitorId || day.tenantId !== hour.tenantId) {
      day = { ...hour, bucketStartMs, histogram: hour.histogram.slice() };
      daily.push(day);
      continue;
    }
    day.totalChecks += hour.totalChecks;
    day.upChecks += hour.upChecks;
    day.downChecks += hour.downChecks;
    day.errorChecks += hour.errorChecks;
    day.responseTimeSumMs += hour.responseTimeSumMs;
    day.responseTimeCount += hour.responseTimeCount;
    day.maintenanceChecks += hour.maintenanceChecks;
    for (let i = 0; i < LATENCY_HISTOGRAM_BUCKETS; i++) day.histogram[i] += hour.histogram[i];
  }
  return daily;
}

const compareRollupKeys = (a: RollupDelta, b: RollupDelta): number =>
  a.tenantId < b.tenantId
    ? -1
    : a.tenantId > b.tenantId
      ? 1
      : a.monitorId < b.monitorId
        ? -1
        : a.monitorId > b.monitorId
          ? 1
          : a.bucketStartMs - b.bucketStartMs;
