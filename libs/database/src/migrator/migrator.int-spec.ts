import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { testEnv } from '../../../../test/test-env';
import { DirtyDatabaseError, Migrator } from './migrator';
import { migrationsDirectory } from './migrations-directory';

/** Each test gets its own database owned by the owner role, so migrations can be run up and down freely. */
async function scratchDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `vinsight_mig_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: testEnv.superuserUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} OWNER vinsight_owner`);
  await admin.end();
  const url = testEnv.ownerUrl.replace(/\/[^/]+$/, `/${name}`);
  const drop = async () => {
    const c = new Client({ connectionString: testEnv.superuserUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  return { url, name, drop };
}

/** The schema as pg_dump prints it, minus the random key of its \restrict guard lines. */
function schemaDump(name: string): string {
  const url = new URL(testEnv.ownerUrl);
  const dump = execFileSync(
    'pg_dump',
    ['--schema-only', '--no-owner', '-h', url.hostname, '-p', url.port || '5432', '-U', 'postgres', name],
    {
      encoding: 'utf8',
    },
  );
  return dump.replace(/^\\(un)?restrict .*$/gm, '');
}

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function migrationsIn(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vinsight-migrations-'));
  for (const [file, sql] of Object.entries(files)) writeFileSync(join(dir, file), sql);
  return dir;
}

describe('Migrator (real Postgres)', () => {
  it('up all, down all, up all gives an identical schema', async () => {
    const db = await scratchDatabase();
    try {
      const migrator = new Migrator(db.url, migrationsDirectory());
      const all = migrator.files().map((f) => f.version);
      expect(all.length).toBeGreaterThan(5);
      expect(await migrator.up()).toEqual(all);
      const first = schemaDump(db.name);
      expect(await migrator.down('all')).toEqual([...all].reverse());
      const empty = await query<{ n: string }>(
        db.url,
        "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
      );
      expect(Number(empty[0].n)).toBe(0);
      expect(await migrator.state()).toEqual({ version: null, dirty: false });
      await migrator.up();
      expect(schemaDump(db.name)).toEqual(first);
    } finally {
      await db.drop();
    }
  });

  it('applies each version once when two migrators start together', async () => {
    const db = await scratchDatabase();
    try {
      const dir = migrationsIn({
        '000001_counter.up.sql': 'CREATE TABLE applied (version int); INSERT INTO applied VALUES (1);',
        '000001_counter.down.sql': 'DROP TABLE applied;',
        '000002_slow.up.sql': 'SELECT pg_sleep(0.5); INSERT INTO applied VALUES (2);',
        '000002_slow.down.sql': 'DELETE FROM applied WHERE version = 2;',
      });
      const [a, b] = await Promise.all([new Migrator(db.url, dir).up(), new Migrator(db.url, dir).up()]);
      expect([...a, ...b].sort()).toEqual([1, 2]);
      const rows = await query<{ version: number }>(db.url, 'SELECT version FROM applied ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
      expect(await new Migrator(db.url, dir).state()).toEqual({ version: 2, dirty: false });
    } finally {
      await db.drop();
    }
  });

  it('leaves a failed migration dirty and refuses to run until forced', async () => {
    const db = await scratchDatabase();
    try {
      const dir = migrationsIn({
        '000001_ok.up.sql': 'CREATE TABLE one (id int);',
        '000001_ok.down.sql': 'DROP TABLE one;',
        '000002_broken.up.sql': 'CREATE TABLE two (id int); SELECT no_such_function();',
        '000002_broken.down.sql': 'DROP TABLE IF EXISTS two;',
      });
      const migrator = new Migrator(db.url, dir);
      await expect(migrator.up()).rejects.toThrow(/000002_broken up failed, database left dirty at version 2/);
      expect(await migrator.state()).toEqual({ version: 2, dirty: true });
      // The failed file's statements were rolled back with it.
      const two = await query<{ n: string }>(db.url, "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'two'");
      expect(Number(two[0].n)).toBe(0);
      await expect(migrator.up()).rejects.toBeInstanceOf(DirtyDatabaseError);
      await expect(migrator.down()).rejects.toBeInstanceOf(DirtyDatabaseError);

      await migrator.force(1);
      expect(await migrator.state()).toEqual({ version: 1, dirty: false });
      writeFileSync(join(dir, '000002_broken.up.sql'), 'CREATE TABLE two (id int);');
      expect(await migrator.up()).toEqual([2]);
      expect(await migrator.down(2)).toEqual([2, 1]);
      expect(await migrator.state()).toEqual({ version: null, dirty: false });
    } finally {
      await db.drop();
    }
  });
});
