import { ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService } from '@vinsight/projections';
import { generateWorkload, publishWorkload } from '../../scripts/bench-projector.workload';
import { testEnv } from '../test-env';
import { createTestTopics, deleteTestTopics, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase, tableChecksums } from './support/scratch-database';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/**
 * The crash test of ISSUE 4: 20,000 events, the projector (the built app, as a child process)
 * killed with SIGKILL three times while a batch transaction is open, restarted each time; the
 * read models it ends with must equal a from-scratch rebuild (`projections rebuild`, the CLI),
 * table by table, and no check may be counted twice in any rollup.
 */
describe('projector crash safety', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;
  let child: ChildProcess | undefined;
  let port = 39800 + Math.floor(Math.random() * 100);

  const environment = () => ({
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port++),
    MIGRATE_ON_START: 'false',
    PROJECTOR_DATABASE_URL: db.projectorUrl,
    KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: topics.events.slice(0, -'events'.length),
    KAFKA_PARTITIONS: '4',
    KAFKA_CLIENT_ID: `crash-${db.name}`,
  });

  const startProjector = (): ChildProcess => {
    const started = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'projector', 'src', 'main.js')], {
      cwd: ROOT,
      env: environment(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.stderr?.on('data', () => undefined);
    return started;
  };

  const applied = async (): Promise<number> => {
    const { rows } = await pool.query<{ n: string }>(`SELECT coalesce(sum(next_offset), 0) AS n FROM projection_checkpoints WHERE projection = 'read-models'`);
    return Number(rows[0].n);
  };

  /** Whether the projector holds a batch transaction open right now. */
  const inTransaction = async (): Promise<boolean> => {
    const { rows } = await pool.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'vinsight-projector'
         AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction')`,
    );
    return rows.length > 0;
  };

  beforeAll(async () => {
    db = await createScratchDatabase('crash');
    pool = db.projectorPool(4);
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'crash', 4);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await lag?.close();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('ends, after three kill -9 mid-batch, with read models equal to a from-scratch rebuild', async () => {
    const began = Date.now();
    const phases: Record<string, number> = {};
    const phase = (name: string) => (phases[name] = Math.round((Date.now() - began) / 100) / 10);
    const records = [...generateWorkload({ tenants: 10, monitorsPerTenant: 4, checksPerMonitor: 480, end: new Date(), downRate: 0.05, seed: 99, namespace: 'crashit' })];
    const checks = records.filter((r) => r.role === 'checkEvents').length;
    expect(records.length).toBeGreaterThanOrEqual(20000);
    await publishWorkload(kafka, topics, records, { transactionalId: `crash-${topics.events}`, perTransaction: 250 });
    const total = (await lag.lag()).reduce((sum, p) => sum + p.highWatermark, 0);
    phase('published');

    const kills: { at: number; midBatch: boolean }[] = [];
    for (const fraction of [0.2, 0.45, 0.7]) {
      child = startProjector();
      const deadline = Date.now() + 60000;
      for (;;) {
        const progress = await applied();
        if (progress >= fraction * total && (await inTransaction())) {
          child.kill('SIGKILL');
          kills.push({ at: progress, midBatch: true });
          break;
        }
        if (progress >= total || Date.now() > deadline) throw new Error(`no batch in flight to kill (progress ${progress}/${total})`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    expect(kills.map((k) => k.midBatch)).toEqual([true, true, true]);
    phase('killed three times');

    child = startProjector();
    const lastPort = port - 1;
    await waitUntilCaughtUp(lag, 120000);
    const metrics = await (await fetch(`http://127.0.0.1:${lastPort}/metrics`)).text();
    expect(metrics).toMatch(/vinsight_events_projected_total\{[^}]*projection="read-models"[^}]*type="CheckRecorded"[^}]*\} \d+/);
    expect(metrics).toMatch(/vinsight_batch_duration_seconds_count\{[^}]*component="projector"/);
    const ready = await fetch(`http://127.0.0.1:${lastPort}/health/ready`);
    expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200, body: { info: { projection: { status: 'up' } } } });
    child.kill('SIGTERM');
    const exitCode = await new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    expect(exitCode).toBe(0);

    phase('caught up');
    const afterCrashes = await tableChecksums(pool);
    const counted = await pool.query<{ checks: number; distinct_ids: number; hourly: number; daily: number; histograms: number; with_time: number }>(
      `SELECT (SELECT count(*) FROM monitor_checks)::int AS checks, (SELECT count(DISTINCT id) FROM monitor_checks)::int AS distinct_ids,
              (SELECT sum(total_checks) FROM monitor_check_rollups_hourly)::int AS hourly,
              (SELECT sum(total_checks) FROM monitor_check_rollups_daily)::int AS daily,
              (SELECT sum(x) FROM monitor_check_rollups_daily, unnest(latency_histogram) x)::int AS histograms,
              (SELECT count(response_time_ms) FROM monitor_checks)::int AS with_time`,
    );
    expect(counted.rows[0]).toEqual({ checks, distinct_ids: checks, hourly: checks, daily: checks, histograms: counted.rows[0].with_time, with_time: counted.rows[0].with_time });

    const env = { ...process.env, ...environment() };
    const rebuilt = await run(process.execPath, [join(ROOT, 'dist', 'scripts', 'projections.js'), 'rebuild'], { cwd: ROOT, env, timeout: 300000 });
    expect(rebuilt.stdout).toMatch(/rebuilt \d+ events .* and switched/);
    phase('rebuilt');
    const fromScratch = await tableChecksums(pool);
    expect(fromScratch).toEqual(afterCrashes);

    const status = await run(process.execPath, [join(ROOT, 'dist', 'scripts', 'projections.js'), 'status', '--json'], { cwd: ROOT, env });
    expect(JSON.parse(status.stdout)).toMatchObject({ projection: 'read-models', totalLag: 0, parkedWaiting: 0 });

    process.stderr.write(
      `crash test: ${records.length} events, kills at offsets ${kills.map((k) => k.at).join(', ')} of ${total}; ` +
        `phases (s): ${JSON.stringify(phases)}; checksums after crashes = after rebuild: ${JSON.stringify(Object.fromEntries(Object.entries(afterCrashes).map(([t, c]) => [t, `${c.rows}:${c.md5}`])))}\n`,
    );
  });
});
