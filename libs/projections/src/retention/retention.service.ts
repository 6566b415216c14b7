import type { Pool, PoolClient } from 'pg';
import { PLANS } from '@vinsight/domain';
import type { Clock } from '@vinsight/runtime';
import { RetainedPlan, retentionCutoffs } from './retention-policy';

export interface RetentionReport {
  droppedPartitions: string[];
  deletedChecks: Record<RetainedPlan, number>;
  deletedHourlyRollups: number;
  deletedDailyRollups: number;
  /** False when another process was already running retention. */
  ran: boolean;
}

const DEFAULT_BATCH_SIZE = 5000;
const LOCK_KEY = 'vinsight.projections.retention';

/**
 * Retention of the check data: drops whole daily partitions past the longest plan retention
 * (400 days), then trims each plan's tenants to their own retention (free 7 days, pro 90) and the
 * rollups to 400 days, in bounded batches of short transactions so it never holds long locks or
 * bloats one transaction. Rollups are separate rows, so trimming raw checks never changes uptime
 * or latency figures computed from rollups. One process at a time (advisory lock).
 */
export class RetentionService {
  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {}

  async run(): Promise<RetentionReport> {
    const report: RetentionReport = {
      droppedPartitions: [],
      deletedChecks: { free: 0, pro: 0, enterprise: 0 },
      deletedHourlyRollups: 0,
      deletedDailyRollups: 0,
      ran: false,
    };
    const lockHolder = await this.pool.connect();
    try {
      const { rows } = await lockHolder.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [LOCK_KEY]);
      if (!rows[0].locked) return report;
      try {
        await this.retain(report);
        report.ran = true;
      } finally {
        await lockHolder.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]);
      }
    } finally {
      lockHolder.release();
    }
    return report;
  }

  private async retain(report: RetentionReport): Promise<void> {
    const cutoffs = retentionCutoffs(this.clock.now());
    const dropped = await this.pool.query<{ name: string }>('SELECT drop_monitor_check_partitions_before($1::date) AS name', [
      cutoffs.dropPartitionsBefore,
    ]);
    report.droppedPartitions = dropped.rows.map((r) => r.name);

    for (const plan of PLANS) {
      const tenants = await this.pool.query<{ id: string }>('SELECT id FROM tenants WHERE plan = $1', [plan]);
      const ids = tenants.rows.map((r) => r.id);
      if (ids.length === 0) continue;
      report.deletedChecks[plan] = await this.inBatches((client) =>
        client.query(
          `WITH victims AS (
             SELECT tenant_id, monitor_id, checked_at, id FROM monitor_checks
             WHERE tenant_id = ANY($1::uuid[]) AND checked_at < $2 LIMIT $3)
           DELETE FROM monitor_checks m USING victims v
           WHERE m.tenant_id = v.tenant_id AND m.monitor_id = v.monitor_id AND m.checked_at = v.checked_at AND m.id = v.id`,
          [ids, cutoffs.checksBefore[plan], this.batchSize],
        ),
      );
    }
    for (const [table, field] of [
      ['monitor_check_rollups_hourly', 'deletedHourlyRollups'],
      ['monitor_check_rollups_daily', 'deletedDailyRollups'],
    ] as const) {
      report[field] = await this.inBatches((client) =>
        client.query(
          `WITH victims AS (SELECT tenant_id, monitor_id, bucket_start FROM ${table} WHERE bucket_start < $1 LIMIT $2)
           DELETE FROM ${table} r USING victims v
           WHERE r.tenant_id = v.tenant_id AND r.monitor_id = v.monitor_id AND r.bucket_start = v.bucket_start`,
          [cutoffs.rollupsBefore, this.batchSize],
        ),
      );
    }
  }

  /** Repeats a bounded delete, each in its own transaction, until one deletes less than a batch. */
  private async inBatches(deleteBatch: (client: PoolClient) => Promise<{ rowCount: number | null }>): Promise<number> {
    let total = 0;
    for (;;) {
      const client = await this.pool.connect();
      let deleted: number;
      try {
        deleted = (await deleteBatch(client)).rowCount ?? 0;
      } finally {
        client.release();
      }
      total += deleted;
      if (deleted < this.batchSize) return total;
    }
  }
}
