import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { RetentionService } from '@vinsight/projections';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const NOW = Date.parse('2026-06-30T12:00:00.000Z');
const DAY = 86_400_000;
const clock = { now: () => new Date(NOW) };
const AGES = [1, 5, 8, 30, 95, 200, 399, 402, 450];
const dayOf = (age: number) => new Date(NOW - age * DAY).toISOString().slice(0, 10);

describe('retention', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  const tenants = { free: randomUUID(), pro: randomUUID(), enterprise: randomUUID(), unknown: randomUUID() };
  const monitorOf = (tenant: string) => `${tenant.slice(0, 24)}000000000000`;

  const agesLeft = async (tenant: string): Promise<number[]> => {
    const { rows } = await pool.query<{ age: number }>(
      `SELECT round(extract(epoch FROM $2::timestamptz - checked_at) / 86400)::int AS age FROM monitor_checks WHERE tenant_id = $1 ORDER BY 1`,
      [tenant, new Date(NOW)],
    );
    return rows.map((r) => r.age);
  };

  beforeAll(async () => {
    db = await createScratchDatabase('retention');
    pool = db.projectorPool();
    for (const age of AGES) await pool.query('SELECT ensure_monitor_check_partitions($1::date, 1)', [dayOf(age)]);
    for (const [plan, tenant] of Object.entries(tenants)) {
      if (plan !== 'unknown') {
        await pool.query(
          `INSERT INTO tenants (id, name, slug, plan, version, created_at, updated_at) VALUES ($1, $2, $3, $2, 1, now(), now())`,
          [tenant, plan, `r-${tenant.slice(0, 8)}`],
        );
      }
      for (const age of AGES) {
        await pool.query(
          `INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, response_time_ms, checked_at) VALUES ($1, $2, $3, 'up', 100, $4)`,
          [tenant, monitorOf(tenant), randomUUID(), new Date(NOW - age * DAY)],
        );
      }
      for (const [table, age] of [
        ['monitor_check_rollups_hourly', 10],
        ['monitor_check_rollups_hourly', 401],
        ['monitor_check_rollups_daily', 10],
        ['monitor_check_rollups_daily', 401],
      ] as const) {
        const unit = table.endsWith('hourly') ? 'hour' : 'day';
        await pool.query(
          `INSERT INTO ${table} (tenant_id, monitor_id, bucket_start, total_checks, up_checks) VALUES ($1, $2, date_trunc('${unit}', $3::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', 1, 1)`,
          [tenant, monitorOf(tenant), new Date(NOW - age * DAY)],
        );
      }
    }
    // a check whose day has no partition waits in the DEFAULT partition
    await pool.query(`INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, checked_at) VALUES ($1, $2, $3, 'down', $4)`, [
      tenants.unknown,
      monitorOf(tenants.unknown),
      randomUUID(),
      new Date(NOW - 500 * DAY),
    ]);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('drops whole partitions past 400 days, trims each plan to its retention, keeps rollups 400 days', async () => {
    const report = await new RetentionService(pool, clock, 2).run();
    expect(report.ran).toBe(true);
    expect(report.droppedPartitions.sort()).toEqual([
      `monitor_checks_p${dayOf(450).replace(/-/g, '')}`,
      `monitor_checks_p${dayOf(402).replace(/-/g, '')}`,
    ]);
    expect(report.deletedChecks).toEqual({ free: 5, pro: 3, enterprise: 0 });
    expect(report.deletedHourlyRollups).toBe(4);
    expect(report.deletedDailyRollups).toBe(4);

    expect(await agesLeft(tenants.free)).toEqual([1, 5]);
    expect(await agesLeft(tenants.pro)).toEqual([1, 5, 8, 30]);
    expect(await agesLeft(tenants.enterprise)).toEqual([1, 5, 8, 30, 95, 200, 399]);
    // no plan known: kept until the partitions go, the DEFAULT partition's old rows too
    expect(await agesLeft(tenants.unknown)).toEqual([1, 5, 8, 30, 95, 200, 399]);

    const rollups = await pool.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM monitor_check_rollups_hourly) + (SELECT count(*) FROM monitor_check_rollups_daily) AS n`,
    );
    expect(Number(rollups.rows[0].n)).toBe(8);
  });

  it('does nothing more when run again, and leaves the remaining partitions in place', async () => {
    const again = await new RetentionService(pool, clock).run();
    expect(again).toMatchObject({
      ran: true,
      droppedPartitions: [],
      deletedChecks: { free: 0, pro: 0, enterprise: 0 },
      deletedHourlyRollups: 0,
    });
    const { rows } = await pool.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'monitor_checks'::regclass AND c.relname LIKE 'monitor_checks_p%'`,
    );
    expect(rows.map((r) => r.relname)).toContain(`monitor_checks_p${dayOf(399).replace(/-/g, '')}`);
  });

  it('runs once at a time across processes', async () => {
    const holder = await pool.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(hashtext('vinsight.projections.retention'))");
      expect((await new RetentionService(pool, clock).run()).ran).toBe(false);
    } finally {
      await holder.query("SELECT pg_advisory_unlock(hashtext('vinsight.projections.retention'))");
      holder.release();
    }
  });
});
