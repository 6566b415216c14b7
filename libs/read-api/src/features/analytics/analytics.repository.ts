import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { PreparedStatement, ReadModelsDatabase } from '../../database/read-models.database';
import { timestampLiteral, uuidLiteral } from '../../database/sql-literals';
import type { MaintenanceWindow } from '@vinsight/domain';
import { maintenanceSecondsBetween } from '@vinsight/domain';
import { MaintenanceWindowJson, maintenanceWindowFromJson } from '../maintenance-windows/maintenance-windows.repository';
import { MAINTENANCE_WINDOW_JSON_SQL } from '../maintenance-windows/maintenance-windows.sql';
import { monitorExists } from '../monitors/monitors.repository';
import { BucketSize, UptimeRanges } from './analytics.windows';
import { histogramPercentile, sumHistograms } from './latency-histogram';

export interface UptimeFigures {
  totalChecks: number;
  upChecks: number;
  downChecks: number;
  errorChecks: number;
  avgResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
  incidentCount: number;
  downtimeSeconds: number;
  maintenanceChecks: number;
  maintenanceSeconds: number;
}

export interface StatsBucket {
  bucketStart: Date;
  totalChecks: number;
  upChecks: number;
  downChecks: number;
  errorChecks: number;
  maintenanceChecks: number;
  avgResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
}

const ROLLUP_COLUMNS =
  'total_checks, up_checks, down_checks, error_checks, response_time_sum_ms, response_time_count, latency_histogram, maintenance_checks';

/**
 * Uptime of one monitor over a window, from rollups only (never raw checks): hourly rows at the
 * ragged ends, daily rows between (see analytics.windows.ts), summed into counts, the average
 * from the response-time sums, and the rows' latency histograms, which are merged into p95 in
 * latency-histogram.ts (cheaper there than in plpgsql); plus the incidents
 * overlapping the window and their spans inside it (downtimeSecondsOutside), and the maintenance windows that cover the
 * monitor within it (their occurrences are computed by the domain, in TypeScript, with the same
 * time zone rules the command processor decided the checks with). Checks in maintenance are not
 * in the rollups' counts, only in maintenance_checks. One statement, prepared once per connection
 * (its planning costs more than its execution) and executed in one round trip.
 * $1 tenant, $2 monitor, $3 hourlyFrom, $4 daysFrom, $5 daysTo, $6 to, $7 from.
 */
const UPTIME_SQL = `
WITH rollups AS (
  SELECT ${ROLLUP_COLUMNS} FROM monitor_check_rollups_hourly
   WHERE tenant_id = $1::uuid AND monitor_id = $2::uuid AND bucket_start >= $3::timestamptz AND bucket_start < $4::timestamptz
  UNION ALL
  SELECT ${ROLLUP_COLUMNS} FROM monitor_check_rollups_daily
   WHERE tenant_id = $1::uuid AND monitor_id = $2::uuid AND bucket_start >= $4::timestamptz AND bucket_start < $5::timestamptz
  UNION ALL
  SELECT ${ROLLUP_COLUMNS} FROM monitor_check_rollups_hourly
   WHERE tenant_id = $1::uuid AND monitor_id = $2::uuid AND bucket_start >= $5::timestamptz AND bucket_start < $6::timestamptz
), totals AS (
  SELECT coalesce(sum(total_checks), 0)::float8 AS total_checks,
         coalesce(sum(up_checks), 0)::float8 AS up_checks,
         coalesce(sum(down_checks), 0)::float8 AS down_checks,
         coalesce(sum(error_checks), 0)::float8 AS error_checks,
         coalesce(sum(maintenance_checks), 0)::float8 AS maintenance_checks,
         (sum(response_time_sum_ms) / nullif(sum(response_time_count), 0))::float8 AS avg_response_time_ms,
         json_agg(latency_histogram) AS histograms
    FROM rollups
), incident_totals AS (
  SELECT count(*)::float8 AS incident_count,
         json_agg(json_build_array(extract(epoch FROM greatest(started_at, $7::timestamptz))::float8,
                                   extract(epoch FROM least(coalesce(resolved_at, $6::timestamptz), $6::timestamptz))::float8))
           AS incident_spans
    FROM incidents
   WHERE tenant_id = $1::uuid AND monitor_id = $2::uuid AND started_at < $6::timestamptz
     AND (resolved_at IS NULL OR resolved_at > $7::timestamptz)
), maintenance AS (
  SELECT json_agg(${MAINTENANCE_WINDOW_JSON_SQL}) AS maintenance_windows
    FROM maintenance_windows w
   WHERE w.tenant_id = $1::uuid AND (w.monitor_id = $2::uuid OR w.monitor_id IS NULL) AND w.starts_at < $6::timestamptz
     AND coalesce(least(w.ends_at, w.cancelled_at), 'infinity'::timestamptz) > $7::timestamptz
)
SELECT EXISTS (SELECT 1 FROM monitors WHERE tenant_id = $1::uuid AND id = $2::uuid AND deleted_at IS NULL) AS monitor_found,
       totals.*, incident_totals.*, maintenance.*
  FROM totals, incident_totals, maintenance`;

const UPTIME_STATEMENT: PreparedStatement = {
  name: 'read_api_uptime',
  types: ['uuid', 'uuid', 'timestamptz', 'timestamptz', 'timestamptz', 'timestamptz', 'timestamptz'],
  text: UPTIME_SQL,
};

interface UptimeRow {
  monitor_found: boolean;
  total_checks: number;
  up_checks: number;
  down_checks: number;
  error_checks: number;
  avg_response_time_ms: number | null;
  histograms: (number | string)[][] | null;
  incident_count: number;
  /** [start, end] in epoch seconds, clipped to the window. */
  incident_spans: [number, number][] | null;
  maintenance_checks: number;
  maintenance_windows: MaintenanceWindowJson[] | null;
}

/**
 * Incident time that is not maintenance time: an incident open when a window starts stays open
 * (the monitor's status does not move in maintenance), but the window's time is planned, so it
 * is left out of the downtime as its checks are left out of the uptime. The windows are those
 * that cover the monitor within the uptime window, which contains every span.
 */
export function downtimeSecondsOutside(windows: readonly MaintenanceWindow[], spans: readonly (readonly [number, number])[]): number {
  let seconds = 0;
  for (const [start, end] of spans) {
    if (end <= start) continue;
    const maintenance = windows.length === 0 ? 0 : maintenanceSecondsBetween(windows, new Date(start * 1000), new Date(end * 1000));
    seconds += end - start - maintenance;
  }
  return seconds;
}

/** Checks in maintenance are counted apart and left out of every other figure. */
const CHECK_FIGURES = `(count(*) FILTER (WHERE NOT in_maintenance))::float8 AS total_checks,
       (count(*) FILTER (WHERE status = 'up' AND NOT in_maintenance))::float8 AS up_checks,
       (count(*) FILTER (WHERE status = 'down' AND NOT in_maintenance))::float8 AS down_checks,
       (count(*) FILTER (WHERE status = 'error' AND NOT in_maintenance))::float8 AS error_checks,
       (count(*) FILTER (WHERE in_maintenance))::float8 AS maintenance_checks,
       (avg(response_time_ms) FILTER (WHERE NOT in_maintenance))::float8 AS avg_response_time_ms,
       latency_histogram_percentile(latency_histogram_agg(response_time_ms) FILTER (WHERE NOT in_maintenance), 0.95) AS p95_response_time_ms`;

/**
 * Buckets from raw checks: minute buckets always, and every size for one region, which the
 * rollups do not keep apart (so a region's figures reach back as far as its tenant's checks are
 * retained). $1 tenant, $2 monitor, $3 from, $4 to, $5 region (only in the region's statement).
 */
const statsFromChecksSql = (size: BucketSize, byRegion: boolean) => `
SELECT date_trunc('${size}', checked_at, 'UTC') AS bucket_start, ${CHECK_FIGURES}
  FROM monitor_checks
 WHERE tenant_id = $1::uuid AND monitor_id = $2::uuid AND checked_at >= $3::timestamptz AND checked_at < $4::timestamptz
       ${byRegion ? 'AND region = $5' : ''}
 GROUP BY 1 ORDER BY 1`;

const STATS_FROM_CHECKS_SQL = statsFromChecksSql('minute', false);
const STATS_OF_REGION_SQL: Record<BucketSize, string> = {
  minute: statsFromChecksSql('minute', true),
  hour: statsFromChecksSql('hour', true),
  day: statsFromChecksSql('day', true),
};

/**
 * A monitor's checks over a window, per region (null: checks that did not say), from raw checks.
 * $1 tenant, $2 monitor, $3 from, $4 to; $5 one region, or null for all.
 */
const CHECKS_BY_REGION_SQL = `
SELECT region, ${CHECK_FIGURES}
  FROM monitor_checks
 WHERE tenant_id = $1::uuid AND monitor_id = $2::uuid AND checked_at >= $3::timestamptz AND checked_at < $4::timestamptz
   AND ($5::text IS NULL OR region = $5::text)
 GROUP BY region ORDER BY region NULLS LAST`;

const statsFromRollupsSql = (table: string) => `
SELECT bucket_start, total_checks::float8 AS total_checks, up_checks::float8 AS up_checks,
       down_checks::float8 AS down_checks, error_checks::float8 AS error_checks, maintenance_checks::float8 AS maintenance_checks,
       (response_time_sum_ms::float8 / nullif(response_time_count, 0)) AS avg_response_time_ms,
       latency_histogram_percentile(latency_histogram, 0.95) AS p95_response_time_ms
  FROM ${table}
 WHERE tenant_id = $1::uuid AND monitor_id = $2::uuid AND bucket_start >= $3::timestamptz AND bucket_start < $4::timestamptz
 ORDER BY bucket_start`;

const STATS_SQL: Record<BucketSize, string> = {
  minute: STATS_FROM_CHECKS_SQL,
  hour: statsFromRollupsSql('monitor_check_rollups_hourly'),
  day: statsFromRollupsSql('monitor_check_rollups_daily'),
};

interface CheckFiguresRow {
  total_checks: number;
  up_checks: number;
  down_checks: number;
  error_checks: number;
  avg_response_time_ms: number | null;
  p95_response_time_ms: number | null;
}

/** Check counts and latency of one region over a window. */
export interface RegionFigures {
  region: string | null;
  totalChecks: number;
  upChecks: number;
  downChecks: number;
  errorChecks: number;
  avgResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
}

interface StatsRow {
  bucket_start: Date;
  total_checks: number;
  up_checks: number;
  down_checks: number;
  error_checks: number;
  maintenance_checks: number;
  avg_response_time_ms: number | null;
  p95_response_time_ms: number | null;
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

@Injectable()
export class AnalyticsRepository {
  private bounds?: Promise<number[]>;

  constructor(private readonly database: ReadModelsDatabase) {}

  /** The histogram bucket bounds, from the database that defines them (read once). */
  private histogramBounds(): Promise<number[]> {
    this.bounds ??= this.database.primaryPool
      .query<{ bounds: number[] }>('SELECT latency_histogram_bounds() AS bounds')
      .then(({ rows }) => rows[0].bounds.map(Number));
    this.bounds.catch(() => (this.bounds = undefined));
    return this.bounds;
  }

  /** null: no such monitor for this tenant. */
  async uptime(context: ReadContext, monitorId: string, ranges: UptimeRanges): Promise<UptimeFigures | null> {
    const times = [ranges.hourlyFrom, ranges.daysFrom, ranges.daysTo, ranges.to, ranges.from];
    const [row] = await this.database.prepared<UptimeRow & { [key: string]: unknown }>(context, UPTIME_STATEMENT, [
      uuidLiteral(context.tenantId),
      uuidLiteral(monitorId),
      ...times.map(timestampLiteral),
    ]);
    if (!row || !row.monitor_found) return null;
    const bounds = await this.histogramBounds();
    const histogram = sumHistograms(row.histograms ?? [], bounds.length);
    const maintenanceWindows = (row.maintenance_windows ?? []).map(maintenanceWindowFromJson);
    return {
      totalChecks: Number(row.total_checks),
      upChecks: Number(row.up_checks),
      downChecks: Number(row.down_checks),
      errorChecks: Number(row.error_checks),
      avgResponseTimeMs: num(row.avg_response_time_ms),
      p95ResponseTimeMs: histogramPercentile(histogram, 0.95, bounds),
      incidentCount: Number(row.incident_count),
      downtimeSeconds: downtimeSecondsOutside(maintenanceWindows, row.incident_spans ?? []),
      maintenanceChecks: Number(row.maintenance_checks),
      maintenanceSeconds: maintenanceSecondsBetween(maintenanceWindows, ranges.from, ranges.to),
    };
  }

  /**
   * The checks of [from, to) per region (all regions, or only `region`), from raw checks; null:
   * no such monitor for this tenant.
   */
  async checksByRegion(context: ReadContext, monitorId: string, from: Date, to: Date, region?: string): Promise<RegionFigures[] | null> {
    const rows = await this.database.transaction(context, async (tx) => {
      if (!(await monitorExists(tx, context.tenantId, monitorId))) return null;
      return tx.$queryRawUnsafe<(CheckFiguresRow & { region: string | null })[]>(
        CHECKS_BY_REGION_SQL,
        context.tenantId,
        monitorId,
        from.toISOString(),
        to.toISOString(),
        region ?? null,
      );
    });
    if (rows === null) return null;
    return rows.map((row) => ({
      region: row.region,
      totalChecks: Number(row.total_checks),
      upChecks: Number(row.up_checks),
      downChecks: Number(row.down_checks),
      errorChecks: Number(row.error_checks),
      avgResponseTimeMs: num(row.avg_response_time_ms),
      p95ResponseTimeMs: num(row.p95_response_time_ms),
    }));
  }

  /** Buckets that have checks (of `region` only, when given), oldest first; null: no such monitor for this tenant. */
  async stats(
    context: ReadContext,
    monitorId: string,
    size: BucketSize,
    from: Date,
    to: Date,
    region?: string,
  ): Promise<StatsBucket[] | null> {
    const rows = await this.database.transaction(context, async (tx) => {
      if (!(await monitorExists(tx, context.tenantId, monitorId))) return null;
      const times = [from.toISOString(), to.toISOString()];
      return region === undefined
        ? tx.$queryRawUnsafe<StatsRow[]>(STATS_SQL[size], context.tenantId, monitorId, ...times)
        : tx.$queryRawUnsafe<StatsRow[]>(STATS_OF_REGION_SQL[size], context.tenantId, monitorId, ...times, region);
    });
    if (rows === null) return null;
    return rows.map((row) => ({
      bucketStart: new Date(row.bucket_start),
      totalChecks: Number(row.total_checks),
      upChecks: Number(row.up_checks),
      downChecks: Number(row.down_checks),
      errorChecks: Number(row.error_checks),
      maintenanceChecks: Number(row.maintenance_checks),
      avgResponseTimeMs: num(row.avg_response_time_ms),
      p95ResponseTimeMs: num(row.p95_response_time_ms),
    }));
  }
}
