import { randomUUID } from 'node:crypto';
import { Client, Pool, PoolClient } from 'pg';
import { Migrator, migrationsDirectory } from '../../libs/database/src/migrator';
import { testEnv } from '../test-env';

/** One pool per database role, all on the migrated `vinsight_test` database. */
export interface RolePools {
  owner: Pool;
  projector: Pool;
  api: Pool;
  close(): Promise<void>;
}

export function createRolePools(): RolePools {
  const owner = new Pool({ connectionString: testEnv.ownerUrl, max: 2, application_name: 'vinsight-test-owner' });
  const projector = new Pool({ connectionString: testEnv.projectorUrl, max: 4, application_name: 'vinsight-test-projector' });
  const api = new Pool({ connectionString: testEnv.apiUrl, max: 4, application_name: 'vinsight-test-api' });
  return {
    owner,
    projector,
    api,
    close: async () => {
      await Promise.all([owner.end(), projector.end(), api.end()]);
    },
  };
}

/**
 * Runs `work` in a transaction that is always rolled back, with `app.current_tenant_id` set
 * for that transaction only (as the read API does) unless `tenantId` is null.
 */
export async function asTenant<T>(pool: Pool, tenantId: string | null, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (tenantId !== null) {
      await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenantId]);
    }
    return await work(client);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** Runs `work` in a committed transaction. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The error a statement fails with, or a failure when it succeeds. */
export async function failureOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the statement to be refused, but it succeeded');
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * A freshly created and migrated database owned by the owner role, for tests that change shared
 * state (partitions, retention) and so must not run in `vinsight_test`. Drop it when done.
 */
export async function createScratchDatabase(): Promise<{ name: string; url: (roleUrl: string) => string; drop(): Promise<void> }> {
  const name = `vinsight_db_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: testEnv.superuserUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} OWNER vinsight_owner`);
  } finally {
    await admin.end();
  }
  await new Migrator(withDatabase(testEnv.ownerUrl, name), migrationsDirectory()).up();
  return {
    name,
    url: (roleUrl) => withDatabase(roleUrl, name),
    drop: () => dropDatabaseOnceIdle(name),
  };
}

/**
 * Drops a scratch database after the connections its pools were asked to close are gone (up to
 * 5 s), then forcibly: a connection still closing when it is terminated reports 57P01 on its
 * pool, which a test's pool at its end no longer listens for.
 */
export async function dropDatabaseOnceIdle(name: string): Promise<void> {
  const client = new Client({ connectionString: testEnv.superuserUrl });
  await client.connect();
  try {
    for (let i = 0; i < 50; i++) {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Polls `read` until `done` accepts its value and returns that value; fails with the last value
 * seen after `timeoutMs`. For effects that are asynchronous by nature, such as replication.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
