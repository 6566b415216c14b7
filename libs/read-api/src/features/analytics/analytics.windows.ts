/**
 * Pure time arithmetic of /uptime and /stats (UTC throughout). Rollups are hourly and daily, so
 * a window is answered from hourly rows at its ragged ends and daily rows for the whole days in
 * between: at most ~48 hourly rows and one row per day, whatever the window.
 */
export const UPTIME_WINDOWS = { '24h': 24 * 3600, '7d': 7 * 86400, '30d': 30 * 86400, '90d': 90 * 86400 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;

export const GRANULARITIES = ['auto', 'minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export type BucketSize = Exclude<Granularity, 'auto'>;

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

export function floorTo(date: Date, unitMs: number): Date {
  return new Date(Math.floor(date.getTime() / unitMs) * unitMs);
}

export function ceilTo(date: Date, unitMs: number): Date {
  return new Date(Math.ceil(date.getTime() / unitMs) * unitMs);
}

export interface UptimeRanges {
  from: Date;
  to: Date;
  /** Hourly rows in [hourlyFrom, daysFrom) and [daysTo, to); daily rows in [daysFrom, daysTo). */
  hourlyFrom: Date;
  daysFrom: Date;
  daysTo: Date;
}

export function uptimeRanges(window: UptimeWindow, now: Date): UptimeRanges {
  const to = now;
  const from = new Date(now.getTime() - UPTIME_WINDOWS[window] * 1000);
  const hourlyFrom = floorTo(from, HOUR_MS);
  let daysFrom = ceilTo(from, DAY_MS);
  let daysTo = floorTo(to, DAY_MS);
  if (daysFrom >= daysTo) {
    daysFrom = to;
    daysTo = to;
  }
  return { from, to, hourlyFrom, daysFrom, daysTo };
}

/** openapi.yaml: `auto` is minutes up to 24 h, hours up to 30 days, days beyond. */
export function bucketSizeFor(granularity: Granularity, from: Date, to: Date): BucketSize {
  if (granularity !== 'auto') return granularity;
  const span = to.getTime() - from.getTime();
  if (span <= DAY_MS) return 'minute';
  if (span <= 30 * DAY_MS) return 'hour';
  return 'day';
}

/** Longest span per bucket size, so one response stays at most ~10,000 buckets. */
export const MAX_SPAN_MS: Record<BucketSize, number> = { minute: 7 * DAY_MS, hour: 400 * DAY_MS, day: 10 * 366 * DAY_MS };

export function bucketStartFor(size: BucketSize, from: Date): Date {
  return size === 'minute' ? floorTo(from, 60000) : size === 'hour' ? floorTo(from, HOUR_MS) : floorTo(from, DAY_MS);
}

export const BUCKET_MS: Record<BucketSize, number> = { minute: 60000, hour: HOUR_MS, day: DAY_MS };

/** Figures of one bucket of /stats; a bucket without checks has zero counts and no latency. */
export interface BucketFigures {
  bucketStart: Date;
  totalChecks: number;
  upChecks: number;
  downChecks: number;
  errorChecks: number;
  maintenanceChecks: number;
  avgResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
}

/**
 * Every bucket from `firstStart` up to `to`, oldest first: those the query found, zeros for the
 * rest, so a chart's x axis is the time axis (a gap is a stretch without checks, not a bucket
 * the client must invent). MAX_SPAN_MS keeps the count near 10,000 at most.
 */
export function zeroFilledBuckets<T extends BucketFigures>(
  found: readonly T[],
  size: BucketSize,
  firstStart: Date,
  to: Date,
): (T | BucketFigures)[] {
  const byStart = new Map(found.map((bucket) => [bucket.bucketStart.getTime(), bucket]));
  const filled: (T | BucketFigures)[] = [];
  for (let start = firstStart.getTime(); start < to.getTime(); start += BUCKET_MS[size]) {
    filled.push(
      byStart.get(start) ?? {
        bucketStart: new Date(start),
        totalChecks: 0,
        upChecks: 0,
        downChecks: 0,
        errorChecks: 0,
        maintenanceChecks: 0,
        avgResponseTimeMs: null,
        p95ResponseTimeMs: null,
      },
    );
  }
  return filled;
}
