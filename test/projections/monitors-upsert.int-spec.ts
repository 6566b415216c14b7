import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { tenantScopedKey } from '../../libs/projections/src/read-models/aggregate-keys';
import type { MonitorRow, MonitorState } from '../../libs/projections/src/read-models/monitors/monitors.evolve';
import { upsertMonitors } from '../../libs/projections/src/read-models/monitors/monitors.sql';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const CHECKED_AT = '2026-01-15T11:59:30.000Z';

/**
 * A monitor's row takes its last check from monitor_checks only when it is created: an update of
 * one that exists must not read the checks (every daily partition, for every monitor updated).
 */
describe('monitors upsert on Postgres', () => {
  let db: ScratchDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createScratchDatabase('monitors_upsert');
    pool = db.projectorPool(2);
    await pool.query(`SELECT ensure_monitor_check_partitions('2026-01-13', 4)`);
  }, 60000);

  afterAll(async () => {
    await db?.drop();
  });

  const monitorRow = (overrides: Partial<MonitorRow> = {}): MonitorRow => ({
    tenantId: randomUUID(),
    id: randomUUID(),
    name: 'Checkout',
    url: 'https://example.com/health',
    checkInterval: 60,
    isActive: true,
    status: 'up',
    statusChangedAt: null,
    version: 1,
    createdAt: '2026-01-15T11:00:00.000Z',
    updatedAt: '2026-01-15T11:00:00.000Z',
    deletedAt: null,
    ...overrides,
  });

  const loadedOf = (rows: readonly MonitorRow[]): Map<string, MonitorState> =>
    new Map(rows.map((monitor) => [tenantScopedKey(monitor), { monitor, openIncident: null, incidents: new Map() }]));

  async function insertCheck(monitor: MonitorRow): Promise<void> {
    await pool.query(
      `INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, response_time_ms, status_code, checked_at)
       VALUES ($1, $2, $3, 'up', 42, 200, $4)`,
      [monitor.tenantId, monitor.id, randomUUID(), CHECKED_AT],
    );
  }

  /**
   * Upserts in a transaction of its own; returns the scans of monitor_checks' partitions it started.
   * On a connection of its own: Postgres 15's pg_stat_xact_* also count the earlier transactions
   * of a backend whose statistics it has not flushed yet.
   */
  async function upsertCountingCheckScans(rows: readonly MonitorRow[], loaded: ReadonlyMap<string, MonitorState>): Promise<number> {
    const backend = new Pool({ connectionString: db.projectorUrl, max: 1 });
    const client = await backend.connect();
    try {
      await client.query('BEGIN');
      await upsertMonitors(client, rows, loaded);
      const { rows: scans } = await client.query<{ scans: string }>(
        `SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) AS scans
         FROM pg_stat_xact_user_tables WHERE relname LIKE 'monitor\\_checks%'`,
      );
      await client.query('COMMIT');
      return Number(scans[0].scans);
    } finally {
      client.release();
      await backend.end();
    }
  }

  const lastCheckedAt = async (monitor: MonitorRow) =>
    (
      await pool.query<{ last: Date | null; version: number }>(
        'SELECT last_checked_at AS last, version FROM monitors WHERE tenant_id = $1 AND id = $2',
        [monitor.tenantId, monitor.id],
      )
    ).rows[0];

  it('takes a new monitor’s last check from the checks already projected', async () => {
    const monitor = monitorRow();
    await insertCheck(monitor);
    const scans = await upsertCountingCheckScans([monitor], new Map());
    expect(scans).toBeGreaterThan(0);
    expect((await lastCheckedAt(monitor)).last?.toISOString()).toBe(CHECKED_AT);
  });

  it('updates monitors that exist without reading a single check', async () => {
    const monitors = [monitorRow(), monitorRow()];
    await upsertCountingCheckScans(monitors, new Map());
    for (const monitor of monitors) await insertCheck(monitor);
    const updated = monitors.map((monitor) => ({ ...monitor, name: 'Renamed', version: 2 }));
    const scans = await upsertCountingCheckScans(updated, loadedOf(monitors));
    expect(scans).toBe(0);
    for (const monitor of monitors) {
      const row = await lastCheckedAt(monitor);
      expect(row.version).toBe(2);
      // Its last check is updateLastChecks' to move, from the check's own batch.
      expect(row.last).toBeNull();
    }
  });

  it('reads the checks of the new monitors only, in a batch that mixes both', async () => {
    const existing = monitorRow();
    await upsertCountingCheckScans([existing], new Map());
    const fresh = monitorRow();
    await insertCheck(fresh);
    const mixed = await upsertCountingCheckScans([{ ...existing, version: 2 }, fresh], loadedOf([existing]));
    const alone = await upsertCountingCheckScans([monitorRow()], new Map());
    expect(mixed).toBe(alone);
    expect((await lastCheckedAt(fresh)).last?.toISOString()).toBe(CHECKED_AT);
  });
});
