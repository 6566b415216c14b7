import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import type { Pool } from 'pg';
import { LifecycleState } from '../lifecycle.state';
import { PRIMARY_POOL } from '../tokens';
import { errorMessage, withTimeout } from '../with-timeout';
import { SchemaVersionRow, schemaVersionVerdict } from './schema-version.verdict';

/**
 * Startup check that the schema is at the version this build expects, read from
 * `schema_migrations` with the role's own pool (the runtime roles may SELECT it). Once confirmed
 * it is not asked again: the startup probe stops after its first success anyway, and a schema
 * change under a running pod is the migration Job's rollout to coordinate, not a probe's.
 */
@Injectable()
export class SchemaVersionIndicator {
  private confirmed?: HealthIndicatorResult;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRIMARY_POOL) private readonly primary: Pool,
    private readonly indicators: HealthIndicatorService,
    private readonly lifecycle: LifecycleState,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const expectedVersion = this.lifecycle.expectedSchemaVersion;
    // No expectation registered (a test composing the module by hand): only this process's own migration run counts.
    if (expectedVersion === undefined) {
      return this.lifecycle.migrationsApplied ? indicator.up() : indicator.down({ message: 'migrations not applied yet' });
    }
    if (this.confirmed) return this.confirmed;
    let row: SchemaVersionRow | null;
    try {
      const { rows } = await withTimeout(
        this.primary.query<{ version: string; dirty: boolean }>('SELECT version, dirty FROM schema_migrations LIMIT 1'),
        this.config.health.checkTimeoutMs,
        'schema_migrations',
      );
      row = rows.length === 0 ? null : { version: Number(rows[0].version), dirty: rows[0].dirty };
    } catch (error) {
      return indicator.down({ expectedVersion, message: unreadableMessage(error) });
    }
    const verdict = schemaVersionVerdict(expectedVersion, row);
    if (!verdict.up) return indicator.down(verdict.details);
    this.confirmed = indicator.up(verdict.details);
    return this.confirmed;
  }
}

/** Migration 23 lets the runtime roles read the bookkeeping: an older schema cannot be read at all. */
function unreadableMessage(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (code === '42P01') return 'no schema_migrations table: the database was never migrated; run the migrations';
  if (code === '42501')
    return `schema_migrations is not readable by this role, so the schema predates this build: run the migrations (${errorMessage(error)})`;
  return errorMessage(error);
}
