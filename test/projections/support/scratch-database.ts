import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { Migrator, migrationsDirectory } from '../../../libs/database/src/migrator';
import { testEnv } from '../../test-env';
import { dropDatabaseOnceIdle } from '../../database/db';

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A freshly created and migrated database for one test file: projections replace and drop
 * tables (a rebuild), drop partitions (retention) and compare whole tables (checksums), none of
 * which may happen in the shared `vinsight_test` while other suites run.
 */
export interface ScratchDatabase {
  name: string;
  ownerUrl: string;
  projectorUrl: string;
  apiUrl: string;
  projectorPool(max?: number): Pool;
  drop(): Promise<void>;
}

export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const name = `vinsight_pj_${label}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new Client({ connectionString: testEnv.superuserUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER vinsight_owner`);
  } finally {
    await admin.end();
  }
  await new Migrator(withDatabase(testEnv.ownerUrl, name), migrationsDirectory()).up();
  const pools: Pool[] = [];
  return {
    name,
    ownerUrl: withDatabase(testEnv.ownerUrl, name),
    projectorUrl: withDatabase(testEnv.projectorUrl, name),
    apiUrl: withDatabase(testEnv.apiUrl, name),
    projectorPool(max = 8) {
      const pool = new Pool({
        connectionString: withDatabase(testEnv.projectorUrl, name),
        max,
        application_name: 'vinsight-test-projector',
      });
      pools.push(pool);
      return pool;
    },
    async drop() {
      // pg-pool's end() resolves once it has asked its idle clients to close, not once they have;
      // a termination of one still closing is expected here.
      for (const pool of pools) pool.on('error', () => undefined);
      await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
      await dropDatabaseOnceIdle(name);
    },
  };
}

/** The tables a rebuild replaces: every read model. */
export const READ_MODEL_TABLES = [
  'tenants',
  'users',
  'api_keys',
  'monitors',
  'monitor_checks',
  'monitor_check_rollups_hourly',
  'monitor_check_rollups_daily',
  'incidents',
  'audit_events',
] as const;

/** md5 of every row of every read-model table, in a stable order, and the row counts. */
export async function tableChecksums(pool: Pool): Promise<Record<string, { rows: number; md5: string }>> {
  const result: Record<string, { rows: number; md5: string }> = {};
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await pool.query<{ rows: string; md5: string | null }>(
      `SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5 FROM ${table} t`,
    );
    result[table] = { rows: Number(rows[0].rows), md5: rows[0].md5 ?? '' };
  }
  return result;
}
