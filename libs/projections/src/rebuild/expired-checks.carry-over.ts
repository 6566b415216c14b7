import type { Pool } from 'pg';

/**
 * `check-events` keeps 30 days while raw checks are kept up to 400 days and rollups 400 days:
 * once Kafka has deleted old segments, a replay cannot rebuild the older check data. Before the
 * switch, this copies what the topic no longer holds from the live tables into the build, per
 * monitor, from before the first check the replay did see (all of it for a monitor the replay saw
 * no check of):
 * - raw checks older than that first check;
 * - hourly and daily rollup rows of the buckets before the one holding it; that straddling
 *   bucket gets the copied raw checks that fall into it (exact while their raw rows are kept);
 * - the monitor's last check, when the replay saw none.
 * Incidents and everything else come from `events`, which is never deleted.
 */
export async function carryOverExpiredChecks(pool: Pool, buildSchema: string): Promise<{ checks: number; hourly: number; daily: number }> {
  const build = buildSchema;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query(
      `CREATE TEMP TABLE first_replayed ON COMMIT DROP AS
       SELECT tenant_id, monitor_id, min(checked_at) AS first_at FROM ${build}.monitor_checks GROUP BY tenant_id, monitor_id`,
    );
    await client.query('CREATE INDEX ON first_replayed (tenant_id, monitor_id)');
    await client.query('ANALYZE first_replayed');
    const checks = await client.query(
      `INSERT INTO ${build}.monitor_checks
       SELECT c.* FROM public.monitor_checks c
       LEFT JOIN first_replayed f ON f.tenant_id = c.tenant_id AND f.monitor_id = c.monitor_id
       WHERE f.first_at IS NULL OR c.checked_at < f.first_at
       ON CONFLICT DO NOTHING`,
    );
    const rollups: Record<'hour' | 'day', number> = { hour: 0, day: 0 };
    for (const [unit, table] of [
      ['hour', 'monitor_check_rollups_hourly'],
      ['day', 'monitor_check_rollups_daily'],
    ] as const) {
      const copied = await client.query(
        `INSERT INTO ${build}.${table}
         SELECT r.* FROM public.${table} r
         LEFT JOIN first_replayed f ON f.tenant_id = r.tenant_id AND f.monitor_id = r.monitor_id
         WHERE f.first_at IS NULL OR r.bucket_start < date_trunc('${unit}', f.first_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
         ON CONFLICT DO NOTHING`,
      );
      rollups[unit] = copied.rowCount ?? 0;
      await client.query(
        `INSERT INTO ${build}.${table} AS r (tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks, error_checks,
                                             response_time_sum_ms, response_time_count, latency_histogram, maintenance_checks)
         SELECT c.tenant_id, c.monitor_id, date_trunc('${unit}', f.first_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                count(*) FILTER (WHERE NOT c.in_maintenance), count(*) FILTER (WHERE c.status = 'up' AND NOT c.in_maintenance),
                count(*) FILTER (WHERE c.status = 'down' AND NOT c.in_maintenance),
                count(*) FILTER (WHERE c.status = 'error' AND NOT c.in_maintenance),
                coalesce(sum(c.response_time_ms) FILTER (WHERE NOT c.in_maintenance), 0),
                count(c.response_time_ms) FILTER (WHERE NOT c.in_maintenance),
                coalesce(latency_histogram_agg(c.response_time_ms) FILTER (WHERE NOT c.in_maintenance), latency_histogram_empty()),
                count(*) FILTER (WHERE c.in_maintenance)
         FROM public.monitor_checks c
         JOIN first_replayed f ON f.tenant_id = c.tenant_id AND f.monitor_id = c.monitor_id
         WHERE c.checked_at < f.first_at AND c.checked_at >= date_trunc('${unit}', f.first_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
         GROUP BY c.tenant_id, c.monitor_id, f.first_at
         ON CONFLICT (tenant_id, monitor_id, bucket_start) DO UPDATE SET
           total_checks = r.total_checks + EXCLUDED.total_checks,
           up_checks = r.up_checks + EXCLUDED.up_checks,
           down_checks = r.down_checks + EXCLUDED.down_checks,
           error_checks = r.error_checks + EXCLUDED.error_checks,
           response_time_sum_ms = r.response_time_sum_ms + EXCLUDED.response_time_sum_ms,
           response_time_count = r.response_time_count + EXCLUDED.response_time_count,
           maintenance_checks = r.maintenance_checks + EXCLUDED.maintenance_checks,
           latency_histogram = latency_histogram_merge(r.latency_histogram, EXCLUDED.latency_histogram)`,
      );
    }
    await client.query(
      `UPDATE ${build}.monitors b SET last_checked_at = l.last_checked_at, last_response_time_ms = l.last_response_time_ms,
              last_status_code = l.last_status_code, last_error_message = l.last_error_message
       FROM public.monitors l
       WHERE b.tenant_id = l.tenant_id AND b.id = l.id AND b.last_checked_at IS NULL AND l.last_checked_at IS NOT NULL`,
    );
    await client.query('COMMIT');
    return { checks: checks.rowCount ?? 0, hourly: rollups.hour, daily: rollups.day };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
