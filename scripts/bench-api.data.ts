/**
 * Data set of `npm run bench:api`: BENCH_TENANTS x BENCH_MONITORS x BENCH_CHECKS (default
 * 1,000 x 50 x 1,000 = 50 million checks) in a database of its own, `vinsight_bench`, migrated
 * with the project's migrations. Ids and tokens are derived from numbers, so the benchmark knows
 * them without reading them back. Seeded once; a marker row records what is there.
 *
 * The big tables (check partitions, rollups) are made UNLOGGED in this database only: no WAL,
 * so 50 million rows neither take the disk twice nor stream to the shared replica.
 */
import { createHash } from 'node:crypto';
import { Client, Pool } from 'pg';
import { Migrator, migrationsDirectory } from '@vinsight/database';
import { withDatabase } from './local-services';

export interface BenchSize {
  tenants: number;
  monitors: number;
  checks: number;
}

export const BENCH_DATABASE = 'vinsight_bench';

function uuidFrom(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const tenantIdOf = (tenant: number) => uuidFrom(`tenant-${tenant}`);
export const monitorIdOf = (tenant: number, monitor: number) => uuidFrom(`monitor-${tenant}-${monitor}`);
export const tokenOf = (tenant: number) => `bench-token-${tenant}`;

export interface BenchUrls {
  superuser: string;
  owner: string;
  projector: string;
  api: string;
}

export function benchUrls(env: NodeJS.ProcessEnv, database = BENCH_DATABASE): BenchUrls {
  return {
    superuser: env.BENCH_SUPERUSER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    owner: withDatabase(env.BENCH_OWNER_URL ?? 'postgres://vinsight_owner@127.0.0.1:5432/x', database),
    projector: withDatabase(env.BENCH_PROJECTOR_URL ?? 'postgres://vinsight_projector@127.0.0.1:5432/x', database),
    api: withDatabase(env.BENCH_API_URL ?? 'postgres://vinsight_api@127.0.0.1:5432/x', database),
  };
}

/** The database `urls` name. */
const databaseOf = (urls: BenchUrls) => new URL(urls.owner).pathname.slice(1);

/** The database of `urls`, created and migrated when missing (no data). */
export async function ensureBenchDatabase(urls: BenchUrls): Promise<void> {
  const admin = new Client({ connectionString: urls.superuser });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [databaseOf(urls)]);
    if (rows.length === 0) await admin.query(`CREATE DATABASE ${databaseOf(urls)} OWNER vinsight_owner`);
  } finally {
    await admin.end();
  }
  const db = new Client({ connectionString: withDatabase(urls.superuser, databaseOf(urls)) });
  await db.connect();
  try {
    await db.query(`ALTER SCHEMA public OWNER TO vinsight_owner;
      REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      GRANT USAGE ON SCHEMA public TO vinsight_projector, vinsight_api`);
  } finally {
    await db.end();
  }
  await new Migrator(urls.owner, migrationsDirectory()).up();
}

/** Seeds the data set unless the marker says it is already there; returns the seeding seconds. */
export async function ensureBenchData(urls: BenchUrls, size: BenchSize, log: (line: string) => void): Promise<number> {
  await ensureBenchDatabase(urls);
  const owner = new Pool({ connectionString: urls.owner, max: 1 });
  const projector = new Pool({ connectionString: urls.projector, max: 1 });
  try {
    await owner.query(`CREATE TABLE IF NOT EXISTS bench_marker (size jsonb NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
    await owner.query('GRANT SELECT, INSERT, DELETE ON bench_marker TO vinsight_projector');
    const marker = await owner.query<{ size: BenchSize; seeded_at: Date }>('SELECT size, seeded_at FROM bench_marker');
    const seeded = marker.rows[0];
    // Checks are one minute apart up to the seeding time: a day later they no longer cover "now".
    const fresh =
      seeded !== undefined &&
      seeded.size.tenants === size.tenants &&
      seeded.size.monitors === size.monitors &&
      seeded.size.checks === size.checks &&
      Date.now() - seeded.seeded_at.getTime() < 20 * 3600 * 1000;
    if (fresh) {
      log(
        `bench data: reusing ${size.tenants} tenants x ${size.monitors} monitors x ${size.checks} checks seeded at ${seeded.seeded_at.toISOString()}`,
      );
      return 0;
    }
    const started = performance.now();
    log(`bench data: seeding ${size.tenants} tenants x ${size.monitors} monitors x ${size.checks} checks into ${BENCH_DATABASE}`);
    // Keep today's and yesterday's partitions (the checks of the last ~17 hours) in place.
    await owner.query(`SELECT ensure_monitor_check_partitions((now() AT TIME ZONE 'UTC')::date - 3, 6)`);
    const { rows: parts } = await owner.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'monitor_checks'::regclass AND c.relpersistence = 'p'`,
    );
    for (const { name } of parts) await owner.query(`ALTER TABLE ${name} SET UNLOGGED`);
    await owner.query('ALTER TABLE monitor_check_rollups_hourly SET UNLOGGED');
    await owner.query('ALTER TABLE monitor_check_rollups_daily SET UNLOGGED');
    await projector.query('DELETE FROM bench_marker');
    for (const table of [
      'monitor_checks',
      'monitor_check_rollups_hourly',
      'monitor_check_rollups_daily',
      'incidents',
      'monitors',
      'api_keys',
      'tenants',
    ]) {
      await owner.query(`TRUNCATE ${table}`);
    }
    for (let tenant = 0; tenant < size.tenants; tenant++) {
      await seedTenant(projector, tenant, size);
      if ((tenant + 1) % 50 === 0 || tenant + 1 === size.tenants) {
        log(`bench data: ${tenant + 1}/${size.tenants} tenants (${Math.round((performance.now() - started) / 1000)} s)`);
      }
    }
    await owner.query('ANALYZE');
    await projector.query('INSERT INTO bench_marker (size) VALUES ($1)', [JSON.stringify(size)]);
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all([owner.end(), projector.end()]);
  }
}

/**
 * One tenant in one transaction, set-based: its key, its monitors, `checks` checks per monitor
 * one minute apart up to now, hourly rollups for the last 48 hours, daily rollups for 35 days and
 * a few incidents.
 */
async function seedTenant(pool: Pool, tenant: number, size: BenchSize): Promise<void> {
  const tenantId = tenantIdOf(tenant);
  const monitorIds = Array.from({ length: size.monitors }, (_, monitor) => monitorIdOf(tenant, monitor));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO tenants (id, name, slug, plan, version, created_at, updated_at)
       VALUES ($1, 'Bench tenant ' || $2, 'bench-' || $2, 'enterprise', 1, now() - interval '100 days', now() - interval '100 days')`,
      [tenantId, String(tenant)],
    );
    await client.query(
      `INSERT INTO api_keys (tenant_id, id, name, token_sha256, version, created_at, updated_at)
       VALUES ($1, $1, 'bench', encode(sha256(convert_to($2, 'UTF8')), 'hex'), 1, now(), now())`,
      [tenantId, tokenOf(tenant)],
    );
    await client.query(
      `INSERT INTO monitors (tenant_id, id, name, url, check_interval, status, last_checked_at, last_response_time_ms,
                             last_status_code, version, created_at, updated_at)
       SELECT $1, m.id, 'Monitor ' || m.n, 'https://bench.example.com/' || m.n, 60,
              CASE WHEN m.n % 10 = 0 THEN 'down' ELSE 'up' END, date_trunc('minute', now()), 120, 200, 2,
              now() - interval '90 days' + m.n * interval '1 second', now() - interval '1 day'
         FROM unnest($2::uuid[]) WITH ORDINALITY AS m(id, n)`,
      [tenantId, monitorIds],
    );
    await client.query(
      `INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, response_time_ms, status_code, region, checked_at)
       SELECT $1, m.id, gen_random_uuid(), CASE WHEN k % 50 = 0 THEN 'down' ELSE 'up' END,
              40 + (k * 7) % 300, CASE WHEN k % 50 = 0 THEN 503 ELSE 200 END, 'bench',
              date_trunc('minute', now()) - k * interval '1 minute'
         FROM unnest($2::uuid[]) AS m(id), generate_series(0, $3::int - 1) AS k`,
      [tenantId, monitorIds, size.checks],
    );
    await client.query(
      `WITH h AS (SELECT latency_histogram_agg(40 + (k * 7) % 300) AS hist, sum(40 + (k * 7) % 300)::bigint AS total
                    FROM generate_series(0, 59) AS k)
       INSERT INTO monitor_check_rollups_hourly (tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks,
              error_checks, response_time_sum_ms, response_time_count, latency_histogram)
       SELECT $1, m.id, date_trunc('hour', now()) - hr * interval '1 hour', 60, 59, 1, 0, h.total, 60, h.hist
         FROM unnest($2::uuid[]) AS m(id), generate_series(0, 47) AS hr, h`,
      [tenantId, monitorIds],
    );
    await client.query(
      `WITH h AS (SELECT latency_histogram_agg(40 + (k * 7) % 300) AS hist, sum(40 + (k * 7) % 300)::bigint AS total
                    FROM generate_series(0, 1439) AS k)
       INSERT INTO monitor_check_rollups_daily (tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks,
              error_checks, response_time_sum_ms, response_time_count, latency_histogram)
       SELECT $1, m.id, (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') - d * interval '1 day',
              1440, 1411, 29, 0, h.total, 1440, h.hist
         FROM unnest($2::uuid[]) AS m(id), generate_series(0, 34) AS d, h`,
      [tenantId, monitorIds],
    );
    await client.query(
      `INSERT INTO incidents (tenant_id, id, monitor_id, started_at, resolved_at, first_error)
       SELECT $1, gen_random_uuid(), m.id, now() - i * interval '3 days', now() - i * interval '3 days' + interval '10 minutes', 'HTTP 503'
         FROM unnest($2::uuid[]) AS m(id), generate_series(1, 5) AS i`,
      [tenantId, monitorIds],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
