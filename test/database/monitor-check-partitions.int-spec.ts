import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { testEnv } from '../test-env';
import { createScratchDatabase, failureOf } from './db';

/**
 * Partition maintenance changes shared structure (and retention deletes rows), so it runs in a
 * database of its own rather than in vinsight_test.
 */
describe('monitor_checks daily partitions', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let projector: Pool;
  let owner: Pool;

  const partitionsOf = async (): Promise<string[]> => {
    const { rows } = await owner.query<{ name: string }>(
      `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'monitor_checks'::regclass ORDER BY 1`,
    );
    return rows.map((r) => r.name);
  };
  const partitionOfCheck = async (id: string): Promise<string> => {
    const { rows } = await projector.query<{ partition: string }>(
      'SELECT tableoid::regclass::text AS partition FROM monitor_checks WHERE id = $1',
      [id],
    );
    return rows[0]?.partition;
  };
  const insertCheck = async (checkedAt: string): Promise<string> => {
    const id = randomUUID();
    await projector.query(
      `INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, response_time_ms, checked_at) VALUES ($1, $2, $3, 'up', 80, $4)`,
      [randomUUID(), randomUUID(), id, checkedAt],
    );
    return id;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    projector = new Pool({ connectionString: scratch.url(testEnv.projectorUrl), max: 2 });
    owner = new Pool({ connectionString: scratch.url(testEnv.ownerUrl), max: 1 });
  });

  afterAll(async () => {
    await Promise.all([projector?.end(), owner?.end()]);
    await scratch?.drop();
  });

  it('the migration creates daily partitions from two days back to a week ahead, plus a default', async () => {
    const { rows } = await owner.query<{ today: string }>(`SELECT to_char((now() AT TIME ZONE 'UTC')::date, 'YYYYMMDD') AS today`);
    const partitions = await partitionsOf();
    expect(partitions).toContain('monitor_checks_default');
    expect(partitions).toContain(`monitor_checks_p${rows[0].today}`);
    expect(partitions.filter((p) => /^monitor_checks_p\d{8}$/.test(p))).toHaveLength(10);
  });

  it('routes a check to its UTC day, whatever the session time zone', async () => {
    const { rows } = await owner.query<{ day: string }>(`SELECT to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day`);
    const client = await projector.connect();
    try {
      await client.query("SET TIME ZONE 'America/Los_Angeles'");
      const id = randomUUID();
      await client.query(`INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, checked_at) VALUES ($1, $2, $3, 'down', $4)`, [
        randomUUID(),
        randomUUID(),
        id,
        `${rows[0].day}T00:00:00Z`,
      ]);
      expect(await partitionOfCheck(id)).toBe(`monitor_checks_p${rows[0].day.replace(/-/g, '')}`);
    } finally {
      await client.query('RESET TIME ZONE');
      client.release();
    }
  });

  it('lets the projector create missing partitions, idempotently, moving rows out of the default partition', async () => {
    const early = await insertCheck('2031-03-01T00:00:00Z');
    const late = await insertCheck('2031-03-01T23:59:59.999Z');
    const nextDay = await insertCheck('2031-03-02T00:00:00Z');
    expect(await partitionOfCheck(early)).toBe('monitor_checks_default');

    const created = await projector.query<{ created: number }>('SELECT ensure_monitor_check_partitions($1, 1) AS created', ['2031-03-01']);
    expect(created.rows[0].created).toBe(1);
    const again = await projector.query<{ created: number }>('SELECT ensure_monitor_check_partitions($1, 1) AS created', ['2031-03-01']);
    expect(again.rows[0].created).toBe(0);

    expect(await partitionOfCheck(early)).toBe('monitor_checks_p20310301');
    expect(await partitionOfCheck(late)).toBe('monitor_checks_p20310301');
    expect(await partitionOfCheck(nextDay)).toBe('monitor_checks_default');

    // The new partition belongs to the owner and grants nothing: reachable only through the parent.
    const { rows } = await owner.query<{ owner: string; acl: string | null }>(
      `SELECT pg_get_userbyid(relowner) AS owner, relacl::text AS acl FROM pg_class WHERE relname = 'monitor_checks_p20310301'`,
    );
    expect(rows).toEqual([{ owner: 'vinsight_owner', acl: null }]);
  });

  it('rejects nonsense arguments', async () => {
    const error = await failureOf(projector.query('SELECT ensure_monitor_check_partitions(current_date, -1)'));
    expect(error.code).toBe('22023');
  });

  it('retention drops whole partitions before a day and old rows of the default partition', async () => {
    await projector.query('SELECT ensure_monitor_check_partitions($1, 3)', ['2020-01-01']);
    const kept = await insertCheck('2020-01-03T12:00:00Z');
    const droppedWithPartition = await insertCheck('2020-01-01T12:00:00Z');
    const oldInDefault = await insertCheck('2019-06-01T00:00:00Z');

    const { rows } = await projector.query<{ dropped: string }>('SELECT drop_monitor_check_partitions_before($1) AS dropped', [
      '2020-01-03',
    ]);
    expect(rows.map((r) => r.dropped)).toEqual(['monitor_checks_p20200101', 'monitor_checks_p20200102']);

    expect(await partitionOfCheck(kept)).toBe('monitor_checks_p20200103');
    expect(await partitionOfCheck(droppedWithPartition)).toBeUndefined();
    expect(await partitionOfCheck(oldInDefault)).toBeUndefined();
    expect(await partitionsOf()).not.toContain('monitor_checks_p20200101');
  });
});
