import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService } from '@vinsight/projections';
import { generateWorkload, publishWorkload } from '../../scripts/bench-projector.workload';
import { createTestTopics, deleteTestTopics, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { checkCounts, projectorEnvironment, rebuildFromScratch, waitForBatchInFlight } from './support/projector-process';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const ROOT = join(__dirname, '..', '..');

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

  const environment = () => projectorEnvironment(db, topics, { HTTP_PORT: String(port++) });

  const startProjector = (): ChildProcess => {
    const started = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'projector', 'src', 'main.js')], {
      cwd: ROOT,
      env: environment(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    started.stderr?.on('data', () => undefined);
    return started;
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
      const progress = await waitForBatchInFlight(pool, fraction * total, total);
      child.kill('SIGKILL');
      kills.push({ at: progress, midBatch: true });
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
    const counted = await checkCounts(pool);
    expect(counted).toEqual({ checks, distinct_ids: checks, hourly: checks, daily: checks, histograms: counted.with_time, with_time: counted.with_time });

    const { live: afterCrashes, fromScratch, rebuildOutput, status } = await rebuildFromScratch(pool, environment());
    expect(rebuildOutput).toMatch(/rebuilt \d+ events .* and switched/);
    phase('rebuilt');
    expect(fromScratch).toEqual(afterCrashes);
    expect(status).toMatchObject({ projection: 'read-models', totalLag: 0, parkedWaiting: 0 });

    process.stderr.write(
      `crash test: ${records.length} events, kills at offsets ${kills.map((k) => k.at).join(', ')} of ${total}; ` +
        `phases (s): ${JSON.stringify(phases)}; checksums after crashes = after rebuild: ${JSON.stringify(Object.fromEntries(Object.entries(afterCrashes).map(([t, c]) => [t, `${c.rows}:${c.md5}`])))}\n`,
    );
  });
});
