import { Client } from 'pg';
import { basename } from 'node:path';
import { MigrationFile, readMigrationFiles, readSql } from './migration-files';

export interface MigrationState {
  /** null when no migration has been applied (golang-migrate's "nil version"). */
  version: number | null;
  dirty: boolean;
}

export interface MigratorLogger {
  info(message: string): void;
  /** A lost connection (the statement in flight fails with it too); logged by `info` when absent. */
  warn?(message: string): void;
}

export class DirtyDatabaseError extends Error {
  constructor(readonly version: number) {
    super(`Dirty database version ${version}. Fix the failed migration, then force the version (make migrate-force version=N).`);
    this.name = 'DirtyDatabaseError';
  }
}

/**
 * Applies golang-migrate-format migrations with golang-migrate's bookkeeping: one row in
 * `schema_migrations(version bigint, dirty boolean)`; the version is written as dirty before a
 * migration runs and cleared after it succeeds, so a failure leaves the database dirty and every
 * later run refuses to start until an operator forces a version.
 *
 * Unlike golang-migrate, each file runs in its own transaction together with the clean version
 * update, so a failed file leaves no half-applied schema behind (the dirty flag still records it).
 * A session advisory lock serialises concurrent migrators: replicas starting together apply each
 * version once.
 */
export class Migrator {
  private static readonly LOCK_KEY = 'vinsight.schema_migrations';

  constructor(
    private readonly connectionString: string,
    private readonly directory: string,
    private readonly logger: MigratorLogger = { info: () => undefined },
  ) {}

  files(): MigrationFile[] {
    return readMigrationFiles(this.directory);
  }

  async state(): Promise<MigrationState> {
    return this.withClient(async (client) => {
      await this.ensureTable(client);
      return this.readState(client);
    });
  }

  /** Applies pending migrations, at most `steps` of them when given. Returns the versions applied. */
  async up(steps?: number): Promise<number[]> {
    return this.withLock(async (client) => {
      const state = await this.readState(client);
      if (state.dirty && state.version !== null) throw new DirtyDatabaseError(state.version);
      const pending = this.files().filter((f) => state.version === null || f.version > state.version);
      const toApply = steps === undefined ? pending : pending.slice(0, steps);
      for (const file of toApply) {
        await this.run(client, file.version, readSql(file.upPath), file.version, `${basename(file.upPath, '.up.sql')} up`);
      }
      return toApply.map((f) => f.version);
    });
  }

  /** Reverts `steps` migrations (default 1); `all` reverts everything. Returns the versions reverted. */
  async down(steps: number | 'all' = 1): Promise<number[]> {
    return this.withLock(async (client) => {
      const state = await this.readState(client);
      if (state.version === null) return [];
      if (state.dirty) throw new DirtyDatabaseError(state.version);
      const files = this.files();
      const applied = files.filter((f) => f.version <= state.version!).reverse();
      const toRevert = steps === 'all' ? applied : applied.slice(0, steps);
      for (const file of toRevert) {
        const index = files.indexOf(file);
        const previous = index > 0 ? files[index - 1].version : null;
        await this.run(client, file.version, readSql(file.downPath), previous, `${basename(file.downPath, '.down.sql')} down`);
      }
      return toRevert.map((f) => f.version);
    });
  }

  /** Sets the version without running anything and clears the dirty flag (golang-migrate `force`). */
  async force(version: number | null): Promise<void> {
    await this.withLock(async (client) => {
      await this.writeState(client, version, false);
    });
  }

  private async run(client: Client, markVersion: number, sql: string, resultVersion: number | null, label: string) {
    const started = Date.now();
    await this.writeState(client, markVersion, true);
    try {
      await client.query('BEGIN');
      await client.query(sql);
      await this.writeState(client, resultVersion, false);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(`migration ${label} failed, database left dirty at version ${markVersion}: ${(error as Error).message}`);
    }
    this.logger.info(`applied migration ${label} in ${Date.now() - started} ms`);
  }

  private async ensureTable(client: Client) {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)');
  }

  private async readState(client: Client): Promise<MigrationState> {
    const { rows } = await client.query<{ version: string; dirty: boolean }>('SELECT version, dirty FROM schema_migrations LIMIT 1');
    if (rows.length === 0) return { version: null, dirty: false };
    return { version: Number(rows[0].version), dirty: rows[0].dirty };
  }

  private async writeState(client: Client, version: number | null, dirty: boolean) {
    await client.query('DELETE FROM schema_migrations');
    if (version !== null) {
      await client.query('INSERT INTO schema_migrations (version, dirty) VALUES ($1, $2)', [version, dirty]);
    }
  }

  private async withLock<T>(work: (client: Client) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [Migrator.LOCK_KEY]);
      try {
        await this.ensureTable(client);
        return await work(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [Migrator.LOCK_KEY]);
      }
    });
  }

  private async withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'vinsight-migrator' });
    // pg emits 'error' when the server goes away between statements (a restart while the advisory
    // lock is held); unheard, that event would end the process instead of failing the migration.
    client.on('error', (error) => (this.logger.warn ?? this.logger.info)(`migrator connection lost: ${error.message}`));
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
