import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService } from '@vinsight/projections';
import { generateWorkload, publishWorkload } from '../../scripts/bench-projector.workload';
import { createTestTopics, deleteTestTopics, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { appliedEvents, checkCounts, checkpointOf, projectorEnvironment, rebuildFromScratch } from './support/projector-process';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const ROOT = join(__dirname, '..', '..');

/** The line the fault hook writes before it kills the process inside a batch. */
const FAULT_LINE = /fault injection: exit inside batch (\S+)\[(\d+)\] (\d+)\.\.(\d+) \((\d+) records\) with (\d+) handled since start/;

/**
 * The crash test of ISSUE 4: 20,000 events, the projector (the built app, as a child process)
 * killed with SIGKILL three times inside a batch transaction, restarted each time; the read
 * models it ends with must equal a from-scratch rebuild (`projections rebuild`, the CLI), table
 * by table, and no check may be counted twice in any rollup. Each start is told by
 * FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS to kill itself inside the batch that takes the
 * projection to 20, 45 and 70 % of the log, its rows and checkpoint written and not committed, so
 * the kill always lands mid-batch whatever the machine's load.
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

  let stderr = '';
  const startProjector = (extra: Record<string, string> = {}): ChildProcess => {
    const started = spawn(process.execPath, [join(ROOT, 'dist', 'apps', 'projector', 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...environment(), ...extra },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    stderr = '';
    started.stderr?.on('data', (chunk) => (stderr += chunk));
    return started;
  };
  const exitOf = (projector: ChildProcess, timeoutMs: number) =>
    new Promise<NodeJS.Signals | number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`projector still running after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
      projector.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (signal !== 'SIGKILL') process.stderr.write(`projector exited with ${signal ?? code}:\n${stderr}\n`);
        resolve(signal ?? code);
      });
    });

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

  it('ends, after three SIGKILLs inside a batch, with read models equal to a from-scratch rebuild', async () => {
    const began = Date.now();
    const phases: Record<string, number> = {};
    const phase = (name: string) => (phases[name] = Math.round((Date.now() - began) / 100) / 10);
    const records = [
      ...generateWorkload({
        tenants: 10,
        monitorsPerTenant: 4,
        checksPerMonitor: 480,
        end: new Date(),
        downRate: 0.05,
        seed: 99,
        namespace: 'crashit',
      }),
    ];
    const checks = records.filter((r) => r.role === 'checkEvents').length;
    expect(records.length).toBeGreaterThanOrEqual(20000);
    await publishWorkload(kafka, topics, records, { transactionalId: `crash-${topics.events}`, perTransaction: 250 });
    const total = (await lag.lag()).reduce((sum, p) => sum + p.highWatermark, 0);
    phase('published');

    const kills: { exitAfter: number; batch: string; records: number; midBatch: boolean; progress: number }[] = [];
    for (const fraction of [0.2, 0.45, 0.7]) {
      const exitAfter = Math.round(fraction * total) - (await appliedEvents(pool));
      expect(exitAfter).toBeGreaterThan(0);
      child = startProjector({ FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS: String(exitAfter) });
      const exit = await exitOf(child, 120000);
      const fault = FAULT_LINE.exec(stderr);
      expect({ exit, fault: fault !== null }).toEqual({ exit: 'SIGKILL', fault: true });
      const [, topic, partition, from, to, records] = fault!;
      // The batch's own transaction died with the process: its partition's checkpoint is still
      // where the batch started, so the kill came after its rows were written and before COMMIT.
      const checkpoint = await checkpointOf(pool, topic, Number(partition));
      kills.push({
        exitAfter,
        batch: `${topic}[${partition}] ${from}..${to}`,
        records: Number(records),
        midBatch: checkpoint === BigInt(from),
        progress: await appliedEvents(pool),
      });
    }
    expect(kills.map((k) => k.midBatch)).toEqual([true, true, true]);
    expect(kills.every((k) => k.records > 0)).toBe(true);
    phase('killed three times');

    child = startProjector();
    const lastPort = port - 1;
    await waitUntilCaughtUp(lag, 120000);
    const metrics = await (await fetch(`http://127.0.0.1:${lastPort}/metrics`)).text();
    expect(metrics).toMatch(/vinsight_events_projected_total\{[^}]*projection="read-models"[^}]*type="CheckRecorded"[^}]*\} \d+/);
    expect(metrics).toMatch(/vinsight_batch_duration_seconds_count\{[^}]*component="projector"/);
    const ready = await fetch(`http://127.0.0.1:${lastPort}/health/ready`);
    expect({ status: ready.status, body: await ready.json() }).toMatchObject({
      status: 200,
      body: { info: { projection: { status: 'up' } } },
    });
    child.kill('SIGTERM');
    const exitCode = await new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    expect(exitCode).toBe(0);

    phase('caught up');
    const counted = await checkCounts(pool);
    expect(counted).toEqual({
      checks,
      distinct_ids: checks,
      hourly: checks,
      daily: checks,
      histograms: counted.with_time,
      with_time: counted.with_time,
    });

    const { live: afterCrashes, fromScratch, rebuildOutput, status } = await rebuildFromScratch(pool, environment());
    expect(rebuildOutput).toMatch(/rebuilt \d+ events .* and switched/);
    phase('rebuilt');
    expect(fromScratch).toEqual(afterCrashes);
    expect(status).toMatchObject({ projection: 'read-models', totalLag: 0, parkedWaiting: 0 });

    process.stderr.write(
      `crash test: ${records.length} events, kills inside ${kills.map((k) => `${k.batch} (${k.records} records, after ${k.exitAfter}; progress ${k.progress})`).join(', ')} of ${total}; ` +
        `phases (s): ${JSON.stringify(phases)}; checksums after crashes = after rebuild: ${JSON.stringify(Object.fromEntries(Object.entries(afterCrashes).map(([t, c]) => [t, `${c.rows}:${c.md5}`])))}\n`,
    );
  }, 300000);
});
