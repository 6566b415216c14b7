import type { PoolClient } from 'pg';
import { copyFrom, copyText } from '../sql/copy-from';
import { unnestRows, UnnestColumn } from '../sql/unnest';
import { CheckRow, checkKey, lastChecksByMonitor, RollupDelta, rollupDeltas } from './checks.mapping';
import { histogramLiteral, LATENCY_HISTOGRAM_BUCKETS } from './latency-histogram';

const UNIQUE_VIOLATION = '23505';
const CHECK_COLUMNS = 'tenant_id, monitor_id, id, status, response_time_ms, status_code, error_message, region, checked_at';

/**
 * Writes a batch of check results: the raw rows, then the hourly and daily rollups and the
 * monitors' last check, all derived from the rows that were actually inserted, so a check that
 * is already there (a redelivered event) is never counted twice.
 *
 * The rows go in with COPY, straight into monitor_checks. A duplicate key makes COPY fail as a
 * whole; only then (rare: the command processor drops repeated check ids) the batch takes the
 * slower path through a staging table with ON CONFLICT DO NOTHING, which reports the rows inserted.
 */
export class ChecksWriter {
  async write(client: PoolClient, rows: readonly CheckRow[]): Promise<{ inserted: number }> {
    if (rows.length === 0) return { inserted: 0 };
    const inserted = await this.insertChecks(client, rows);
    if (inserted.length === 0) return { inserted: 0 };
    await this.addToRollups(client, 'monitor_check_rollups_hourly', rollupDeltas(inserted, 'hour'));
    await this.addToRollups(client, 'monitor_check_rollups_daily', rollupDeltas(inserted, 'day'));
    await this.updateLastChecks(client, lastChecksByMonitor(inserted));
    return { inserted: inserted.length };
  }

  private async insertChecks(client: PoolClient, rows: readonly CheckRow[]): Promise<readonly CheckRow[]> {
    const data = Buffer.from(rows.map(copyLine).join(''), 'utf8');
    await client.query('SAVEPOINT check_copy');
    try {
      await copyFrom(client, `COPY monitor_checks (${CHECK_COLUMNS}) FROM STDIN`, data);
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

  private async addToRollups(client: PoolClient, table: string, deltas: readonly RollupDelta[]): Promise<void> {
    const { from, params } = unnestRows(ROLLUP_COLUMNS, deltas);
    await client.query(
      `INSERT INTO ${table} AS r (tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks, error_checks,
                                  response_time_sum_ms, response_time_count, latency_histogram)
       SELECT tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks, error_checks,
              response_time_sum_ms, response_time_count, latency_histogram::integer[]
       FROM ${from}
       ON CONFLICT (tenant_id, monitor_id, bucket_start) DO UPDATE SET
         total_checks = r.total_checks + EXCLUDED.total_checks,
         up_checks = r.up_checks + EXCLUDED.up_checks,
         down_checks = r.down_checks + EXCLUDED.down_checks,
         error_checks = r.error_checks + EXCLUDED.error_checks,
         response_time_sum_ms = r.response_time_sum_ms + EXCLUDED.response_time_sum_ms,
         response_time_count = r.response_time_count + EXCLUDED.response_time_count,
         latency_histogram = ${MERGED_HISTOGRAMS}`,
      params,
    );
  }

  /**
   * The last check by (checked_at, response time, status code, error message): the same order as
   * LifecycleWriter's fill of a new monitor row, so the result does not depend on which topic's
   * batch came first. Rows are locked in key order first (the lifecycle projection's order).
   */
  private async updateLastChecks(client: PoolClient, last: readonly CheckRow[]): Promise<void> {
    const { from, params } = unnestRows(LAST_CHECK_COLUMNS, last);
    await client.query(
      `SELECT 1 FROM monitors m JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON m.tenant_id = k.tenant_id AND m.id = k.id
       ORDER BY m.tenant_id, m.id FOR NO KEY UPDATE OF m`,
      [params[0], params[1]],
    );
    await client.query(
      `UPDATE monitors m SET last_checked_at = u.checked_at, last_response_time_ms = u.response_time_ms,
              last_status_code = u.status_code, last_error_message = u.error_message
       FROM ${from}
       WHERE m.tenant_id = u.tenant_id AND m.id = u.monitor_id
         AND (m.last_checked_at IS NULL
              OR (u.checked_at, coalesce(u.response_time_ms, -1), coalesce(u.status_code, -1), coalesce(u.error_message, '') COLLATE "C")
               > (m.last_checked_at, coalesce(m.last_response_time_ms, -1), coalesce(m.last_status_code, -1),
                  coalesce(m.last_error_message, '') COLLATE "C"))`,
      params,
    );
  }
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
    `${copyText(row.errorMessage)}\t${copyText(row.region)}\t${row.checkedAt}\n`
  );
}

const ROLLUP_COLUMNS: UnnestColumn<RollupDelta>[] = [
  { name: 'tenant_id', type: 'uuid', value: (d) => d.tenantId },
  { name: 'monitor_id', type: 'uuid', value: (d) => d.monitorId },
  { name: 'bucket_start', type: 'timestamptz', value: (d) => new Date(d.bucketStartMs).toISOString() },
  { name: 'total_checks', type: 'integer', value: (d) => d.totalChecks },
  { name: 'up_checks', type: 'integer', value: (d) => d.upChecks },
  { name: 'down_checks', type: 'integer', value: (d) => d.downChecks },
  { name: 'error_checks', type: 'integer', value: (d) => d.errorChecks },
  { name: 'response_time_sum_ms', type: 'bigint', value: (d) => d.responseTimeSumMs },
  { name: 'response_time_count', type: 'integer', value: (d) => d.responseTimeCount },
  { name: 'latency_histogram', type: 'text', value: (d) => histogramLiteral(d.histogram) },
];

const LAST_CHECK_COLUMNS: UnnestColumn<CheckRow>[] = [
  { name: 'tenant_id', type: 'uuid', value: (r) => r.tenantId },
  { name: 'monitor_id', type: 'uuid', value: (r) => r.monitorId },
  { name: 'checked_at', type: 'timestamptz', value: (r) => r.checkedAt },
  { name: 'response_time_ms', type: 'integer', value: (r) => r.responseTimeMs },
  { name: 'status_code', type: 'integer', value: (r) => r.statusCode },
  { name: 'error_message', type: 'text', value: (r) => r.errorMessage },
];
