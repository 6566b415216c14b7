import type { PoolClient } from 'pg';
import { copyFrom, copyText } from '../../sql/copy-from';
import { unnestRows, UnnestColumn } from '../../sql/unnest';
import { CheckRow, checkKey } from './check-row';
import { RollupDelta } from './check-rollups';
import { histogramLiteral, LATENCY_HISTOGRAM_BUCKETS } from './latency-histogram';

const UNIQUE_VIOLATION = '23505';
/** The columns of a COPY line, in copyLine's order. */
const CHECK_COLUMNS = 'tenant_id, monitor_id, id, status, response_time_ms, status_code, error_message, region, checked_at, in_maintenance';
const COPY_CHECKS = `COPY monitor_checks (${CHECK_COLUMNS}) FROM STDIN`;

/** The rollup tables, each adding checks up per monitor and bucket. */
export type RollupTable = 'monitor_check_rollups_hourly' | 'monitor_check_rollups_daily';

/**
 * Inserts check rows and returns those that were new (the same objects): a check that is already
 * there (a redelivered event) must not be counted into the rollups again.
 *
 * The rows go in with COPY, straight into monitor_checks. A duplicate key makes COPY fail as a
 * whole; only then (rare: the command processor drops repeated check ids) the batch takes the
 * slower path through a staging table with ON CONFLICT DO NOTHING, which reports the rows inserted.
 * Unguarded (a batch's first attempt), the failed COPY fails the batch, which runs again guarded:
 * the savepoint and its release are two round trips that almost every batch would pay for nothing.
 */
export async function insertChecks(client: PoolClient, rows: readonly CheckRow[], guarded = true): Promise<readonly CheckRow[]> {
  if (rows.length === 0) return rows;
  const data = Buffer.from(rows.map(copyLine).join(''), 'utf8');
  if (!guarded) {
    await copyFrom(client, COPY_CHECKS, data);
    return rows;
  }
  await client.query('SAVEPOINT check_copy');
  try {
    await copyFrom(client, COPY_CHECKS, data);
    await client.query('RELEASE SAVEPOINT check_copy');
    return rows;
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT check_copy');
    await client.query('RELEASE SAVEPOINT check_copy');
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
  }
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS projector_check_stage (LIKE monitor_checks INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`,
  );
  await client.query('TRUNCATE projector_check_stage');
  await copyFrom(client, `COPY projector_check_stage (${CHECK_COLUMNS}) FROM STDIN`, data);
  const result = await client.query<{ tenant_id: string; monitor_id: string; checked_at: Date; id: string }>(
    `INSERT INTO monitor_checks (${CHECK_COLUMNS}) SELECT ${CHECK_COLUMNS} FROM projector_check_stage
     ON CONFLICT DO NOTHING RETURNING tenant_id, monitor_id, checked_at, id`,
  );
  await client.query('TRUNCATE projector_check_stage');
  const insertedKeys = new Set(
    result.rows.map((r) => checkKey({ tenantId: r.tenant_id, monitorId: r.monitor_id, checkedAtMs: r.checked_at.getTime(), id: r.id })),
  );
  return rows.filter((row) => insertedKeys.has(checkKey(row)));
}

/**
 * Adds a batch's deltas to their rollup rows, creating the rows a bucket does not have yet: the
 * hourly and the daily table in one statement (the daily upsert a data-modifying CTE of the hourly
 * one; they touch different tables, so neither needs to see the other's rows), one round trip.
 * The daily deltas are the hourly ones summed, so both are empty or neither is.
 */
export async function addToRollups(client: PoolClient, hourly: readonly RollupDelta[], daily: readonly RollupDelta[]): Promise<void> {
  if (hourly.length === 0) return;
  const dailyRows = unnestRows(ROLLUP_COLUMNS, daily);
  const hourlyRows = unnestRows(ROLLUP_COLUMNS, hourly, dailyRows.params.length + 1);
  await client.query(
    `WITH daily AS (${rollupUpsert('monitor_check_rollups_daily', dailyRows.from)}) ${rollupUpsert('monitor_check_rollups_hourly', hourlyRows.from)}`,
    [...dailyRows.params, ...hourlyRows.params],
  );
}

function rollupUpsert(table: RollupTable, from: string): string {
  return `INSERT INTO ${table} AS r (${ROLLUP_COLUMNS.map((c) => c.name).join(', ')})
     SELECT ${ROLLUP_COLUMNS.map((c) => (c === HISTOGRAM_COLUMN ? `${c.name}::integer[]` : c.name)).join(', ')} FROM ${from}
     ON CONFLICT (tenant_id, monitor_id, bucket_start) DO UPDATE SET
       ${COUNTER_COLUMNS.map((c) => `${c.name} = r.${c.name} + EXCLUDED.${c.name}`).join(', ')},
       latency_histogram = ${MERGED_HISTOGRAMS}`;
}

/**
 * latency_histogram_merge(r.latency_histogram, EXCLUDED.latency_histogram) written out as one
 * array constructor of element sums: a plain expression instead of a call of a SQL function with a
 * subquery, which Postgres cannot inline and runs per upserted row (a quarter of the upsert's cost
 * in a measurement). The table's check constraint guarantees both arrays have exactly these buckets.
 */
const MERGED_HISTOGRAMS = `ARRAY[${Array.from(
  { length: LATENCY_HISTOGRAM_BUCKETS },
  (_, i) => `r.latency_histogram[${i + 1}] + EXCLUDED.latency_histogram[${i + 1}]`,
).join(', ')}]`;

function copyLine(row: CheckRow): string {
  return (
    `${row.tenantId}\t${row.monitorId}\t${row.id}\t${row.status}\t${copyText(row.responseTimeMs)}\t${copyText(row.statusCode)}\t` +
    `${copyText(row.errorMessage)}\t${copyText(row.region)}\t${row.checkedAt}\t${row.inMaintenance ? 't' : 'f'}\n`
  );
}

/** What a rollup row adds up: its counter columns are incremented by the deltas. */
const COUNTER_COLUMNS: UnnestColumn<RollupDelta>[] = [
  { name: 'total_checks', type: 'integer', value: (d) => d.totalChecks },
  { name: 'up_checks', type: 'integer', value: (d) => d.upChecks },
  { name: 'down_checks', type: 'integer', value: (d) => d.downChecks },
  { name: 'error_checks', type: 'integer', value: (d) => d.errorChecks },
  { name: 'response_time_sum_ms', type: 'bigint', value: (d) => d.responseTimeSumMs },
  { name: 'response_time_count', type: 'integer', value: (d) => d.responseTimeCount },
  { name: 'maintenance_checks', type: 'integer', value: (d) => d.maintenanceChecks },
];

/** As text, cast in the SELECT: unnest would flatten an integer[][] parameter into single integers. */
const HISTOGRAM_COLUMN: UnnestColumn<RollupDelta> = {
  name: 'latency_histogram',
  type: 'text',
  value: (d) => histogramLiteral(d.histogram),
};

const ROLLUP_COLUMNS: UnnestColumn<RollupDelta>[] = [
  { name: 'tenant_id', type: 'uuid', value: (d) => d.tenantId },
  { name: 'monitor_id', type: 'uuid', value: (d) => d.monitorId },
  { name: 'bucket_start', type: 'timestamptz', value: (d) => new Date(d.bucketStartMs).toISOString() },
  ...COUNTER_COLUMNS,
  HISTOGRAM_COLUMN,
];
