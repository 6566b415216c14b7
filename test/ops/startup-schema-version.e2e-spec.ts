import { Client } from 'pg';
import { Migrator, migrationsDirectory, readMigrationFiles } from '../../libs/database/src/migrator';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { createScratchDatabase, ScratchDatabase } from '../projections/support/scratch-database';

/**
 * With MIGRATE_ON_START=false (as in Kubernetes, where a Job migrates before the rollout) the
 * startup probe must not assume the schema: it holds 503 until `schema_migrations` says the
 * highest migration this build ships, not dirty, and turns 200 once the migrations are applied,
 * without a restart.
 */
describe('startup probe with MIGRATE_ON_START=false', () => {
  const expected = readMigrationFiles(migrationsDirectory()).at(-1)!.version;
  let db: ScratchDatabase;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    db = await createScratchDatabase('startup');
  });

  afterAll(async () => {
    await service?.kill();
    await db?.drop();
  });

  const startup = async () => {
    const response = await fetch(service!.url('/health/startup'));
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  const asOwner = async (statement: string) => {
    const client = new Client({ connectionString: db.ownerUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };

  it('holds startup while the schema is behind or dirty, and passes once it is at the expected version', async () => {
    const migrator = new Migrator(db.ownerUrl, migrationsDirectory());
    await migrator.down(1);
    const env = roleEnvironment({ MIGRATE_ON_START: 'false', DATABASE_URL: '', API_DATABASE_URL: db.apiUrl, LOG_LEVEL: 'error' });
    service = ServiceProcess.start('read-api', env, await freePort());
    await service.waitFor('/health/live', 60000);

    // One version behind: this role cannot even read the bookkeeping yet (migration 23 grants it).
    const behind = await startup();
    expect(behind.status).toBe(503);
    expect(behind.body.error.migrations).toMatchObject({
      status: 'down',
      expectedVersion: expected,
      message: expect.stringMatching(/run the migrations/),
    });

    await migrator.up();
    await asOwner('UPDATE schema_migrations SET dirty = true');
    const dirty = await startup();
    expect(dirty.status).toBe(503);
    expect(dirty.body.error.migrations).toMatchObject({
      status: 'down',
      version: expected,
      dirty: true,
      message: expect.stringMatching(/dirty/),
    });

    await asOwner('UPDATE schema_migrations SET dirty = false');
    const ready = await startup();
    expect(ready).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok' }) });
    expect(ready.body.info.migrations).toEqual({ status: 'up', expectedVersion: expected, version: expected, dirty: false });
  });
});
