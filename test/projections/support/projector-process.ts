import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { testEnv } from '../../test-env';
import type { ScratchDatabase } from './scratch-database';
import { tableChecksums } from './scratch-database';

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

/** The built projector's environment on a scratch database and test topics (no migrations: the database is migrated). */
export function projectorEnvironment(db: ScratchDatabase, topics: TopicNames, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
    MIGRATE_ON_START: 'false',
    PROJECTOR_DATABASE_URL: db.projectorUrl,
    ...testEnv.personalDataEnvironment,
    KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
    ...testEnv.kafkaSecurityEnvironment,
    KAFKA_TOPIC_PREFIX: topics.events.slice(0, -'events'.length),
    KAFKA_PARTITIONS: '4',
    KAFKA_CLIENT_ID: `crash-${db.name}`,
    ...extra,
  };
}

/** Events the live projection has applied: the sum of its checkpoints. */
export async function appliedEvents(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT coalesce(sum(next_offset), 0) AS n FROM projection_checkpoints WHERE projection = 'read-models'`,
  );
  return Number(rows[0].n);
}

/** The live projection's stored checkpoint of one partition (0 when it has none). */
export async function checkpointOf(pool: Pool, topic: string, partition: number): Promise<bigint> {
  const { rows } = await pool.query<{ next_offset: string }>(
    `SELECT next_offset FROM projection_checkpoints WHERE projection = 'read-models' AND topic = $1 AND partition = $2`,
    [topic, partition],
  );
  return BigInt(rows[0]?.next_offset ?? 0);
}

/** Whether the projector holds a batch transaction open right now. */
export async function batchInFlight(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'vinsight-projector'
       AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction')`,
  );
  return rows.length > 0;
}

/**
 * Polls until the projection has applied at least `events` and a batch transaction is open, so
 * the caller interrupts the projector in the middle of a batch. Returns the progress seen then.
 */
export async function waitForBatchInFlight(pool: Pool, events: number, total: number, timeoutMs = 60000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const progress = await appliedEvents(pool);
    if (progress >= events && (await batchInFlight(pool))) return progress;
    if (progress >= total || Date.now() > deadline) throw new Error(`no batch in flight to interrupt (progress ${progress}/${total})`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Every check counted exactly once: in the raw table, in both rollups and in the latency histograms. */
export async function checkCounts(pool: Pool) {
  const { rows } = await pool.query<{
    checks: number;
    distinct_ids: number;
    hourly: number;
    daily: number;
    histograms: number;
    with_time: number;
  }>(
    `SELECT (SELECT count(*) FROM monitor_checks)::int AS checks, (SELECT count(DISTINCT id) FROM monitor_checks)::int AS distinct_ids,
            (SELECT sum(total_checks) FROM monitor_check_rollups_hourly)::int AS hourly,
            (SELECT sum(total_checks) FROM monitor_check_rollups_daily)::int AS daily,
            (SELECT sum(x) FROM monitor_check_rollups_daily, unnest(latency_histogram) x)::int AS histograms,
            (SELECT count(response_time_ms) FROM monitor_checks)::int AS with_time`,
  );
  return rows[0];
}

/**
 * Rebuilds the read models from offset 0 with the operators' CLI (`projections rebuild`) and
 * returns the checksums before and after, which must be equal when the live projection was exact.
 */
export async function rebuildFromScratch(pool: Pool, environment: Record<string, string>) {
  const live = await tableChecksums(pool);
  const env = { ...process.env, ...environment };
  const rebuilt = await run(process.execPath, [join(ROOT, 'dist', 'scripts', 'projections.js'), 'rebuild'], {
    cwd: ROOT,
    env,
    timeout: 300000,
  });
  const fromScratch = await tableChecksums(pool);
  const status = await run(process.execPath, [join(ROOT, 'dist', 'scripts', 'projections.js'), 'status', '--json'], { cwd: ROOT, env });
  return { live, fromScratch, rebuildOutput: rebuilt.stdout, status: JSON.parse(status.stdout) as Record<string, unknown> };
}
