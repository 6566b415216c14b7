import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService, ProjectionRebuild, RebuildProgress } from '@vinsight/projections';
import { generateWorkload, publishWorkload, WorkloadRecord } from '../../scripts/bench-projector.workload';
import { expectedReadModels, tenantIdsOf } from './support/expected-read-models';
import {
  createTestTopics,
  deleteTestTopics,
  InProcessProjector,
  quietLogger,
  testKafka,
  waitUntilCaughtUp,
} from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase, tableChecksums } from './support/scratch-database';
import { testEnv } from '../test-env';

const END = new Date('2026-02-01T12:00:00.000Z');
const clock = { now: () => END };

interface TenantCounts {
  monitors: number;
  checks: number;
  rolledUp: number;
  users: number;
  auditEvents: number;
  incidents: number;
  summaryMonitors: number;
}

/**
 * What a dashboard would read, through the read API's role under row level security, in a loop:
 * every failure and every count that goes backwards (a row missing) is recorded.
 */
class ReaderLoop {
  readonly errors: string[] = [];
  readonly regressions: string[] = [];
  reads = 0;
  private running = true;
  private readonly last = new Map<string, TenantCounts>();
  private done?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly tenants: string[],
  ) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      for (const tenant of this.tenants) {
        try {
          const counts = await this.read(tenant);
          const previous = this.last.get(tenant);
          if (previous) {
            for (const [name, value] of Object.entries(counts) as [keyof TenantCounts, number][]) {
              if (value < previous[name]) this.regressions.push(`${tenant} ${name}: ${previous[name]} -> ${value}`);
            }
          }
          this.last.set(tenant, counts);
          this.reads += 1;
        } catch (error) {
          this.errors.push((error as Error).message);
        }
      }
    }
  }

  private async read(tenant: string): Promise<TenantCounts> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [tenant]);
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM monitors WHERE tenant_id = $1)::int AS monitors,
                (SELECT count(*) FROM monitor_checks WHERE tenant_id = $1)::int AS checks,
                (SELECT coalesce(sum(total_checks), 0) FROM monitor_check_rollups_daily WHERE tenant_id = $1)::int AS "rolledUp",
                (SELECT count(id) FROM users WHERE tenant_id = $1)::int AS users,
                (SELECT count(event_id) FROM audit_events WHERE tenant_id = $1)::int AS "auditEvents",
                (SELECT count(*) FROM incidents WHERE tenant_id = $1)::int AS incidents,
                (SELECT coalesce(sum(monitors_total), 0) FROM tenant_summaries WHERE tenant_id = $1)::int AS "summaryMonitors"`,
        [tenant],
      );
      await client.query('COMMIT');
      return rows[0];
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

describe('projections rebuild', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let apiPool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;
  let projector: InProcessProjector;
  let records: WorkloadRecord[];

  const rebuild = (progress: RebuildProgress[]) =>
    new ProjectionRebuild(pool, kafka, {
      personalData: testEnv.personalDataKeys,
      groupPrefix: `test.rebuild.${topics.events}`,
      topics: [topics.events, topics.checkEvents] as [string, string],
      clock,
      logger: quietLogger,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 100,
    });

  beforeAll(async () => {
    db = await createScratchDatabase('rebuild');
    pool = db.projectorPool(10);
    apiPool = new Pool({ connectionString: db.apiUrl, max: 2 });
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'rebuild', 3);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
    records = [
      ...generateWorkload({
        tenants: 8,
        monitorsPerTenant: 3,
        checksPerMonitor: 120,
        end: END,
        downRate: 0.1,
        seed: 11,
        namespace: 'rebuildit',
      }),
    ];
    await publishWorkload(kafka, topics, records, { transactionalId: `rebuild-1-${topics.events}`, perTransaction: 500 });
    projector = new InProcessProjector(kafka, pool, topics, clock);
    await projector.start();
    await waitUntilCaughtUp(lag);
  }, 120000);

  afterAll(async () => {
    await projector?.stop();
    await lag?.close();
    await apiPool?.end();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('replays into new tables and switches while the API role keeps reading: no error, no row missing, same contents', async () => {
    const before = await tableChecksums(pool);
    const oids = await pool.query(`SELECT 'monitor_checks'::regclass::oid AS checks, 'tenants'::regclass::oid AS tenants`);
    const reader = new ReaderLoop(apiPool, tenantIdsOf(records));
    reader.start();
    const progress: RebuildProgress[] = [];
    let report;
    try {
      report = await rebuild(progress).run();
    } finally {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await reader.stop();
    }
    expect(reader.errors).toEqual([]);
    expect(reader.regressions).toEqual([]);
    expect(reader.reads).toBeGreaterThan(20);

    expect(await tableChecksums(pool)).toEqual(before);
    const after = await pool.query(`SELECT 'monitor_checks'::regclass::oid AS checks, 'tenants'::regclass::oid AS tenants`);
    expect(after.rows[0].checks).not.toBe(oids.rows[0].checks);
    expect(after.rows[0].tenants).not.toBe(oids.rows[0].tenants);
    const leftovers = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'projection_%'`);
    expect(leftovers.rows).toEqual([]);

    expect(report.events).toBeGreaterThan(records.length);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['replaying', 'switching', 'done']));
    expect(progress[progress.length - 1]).toMatchObject({ phase: 'done', applied: report.events, total: report.events });
  });

  it('switches while new events keep arriving, and the live projector carries on from the rebuilt checkpoints', async () => {
    const more = [
      ...generateWorkload({
        tenants: 8,
        monitorsPerTenant: 3,
        checksPerMonitor: 200,
        end: new Date(END.getTime() + 86_400_000),
        downRate: 0.1,
        seed: 12,
        namespace: 'rebuildit2',
      }),
    ];
    const publishing = publishWorkload(kafka, topics, more, { transactionalId: `rebuild-2-${topics.events}`, perTransaction: 200 });
    const reader = new ReaderLoop(apiPool, tenantIdsOf(records));
    reader.start();
    try {
      await rebuild([]).run();
      await publishing;
      await waitUntilCaughtUp(lag);
    } finally {
      await reader.stop();
    }
    expect(reader.errors).toEqual([]);
    expect(reader.regressions).toEqual([]);

    const expected = expectedReadModels([...records, ...more]);
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM monitor_checks)::int AS checks, (SELECT count(*) FROM monitors)::int AS monitors,
              (SELECT count(*) FROM audit_events)::int AS audit, (SELECT sum(total_checks) FROM monitor_check_rollups_hourly)::int AS hourly,
              (SELECT sum(total_checks) FROM monitor_check_rollups_daily)::int AS daily, (SELECT count(*) FROM projector.parked_events)::int AS parked`,
    );
    expect(rows[0]).toEqual({
      checks: expected.checks,
      monitors: expected.monitors,
      audit: expected.auditEvents,
      hourly: expected.checks,
      daily: expected.checks,
      parked: 0,
    });
  });

  it('keeps the check data Kafka no longer holds: raw checks, rollups and last checks older than the replay', async () => {
    await waitUntilCaughtUp(lag);
    const before = await tableChecksums(pool);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topics.checkEvents);
      // as retention would: the oldest segments of every partition are gone
      await admin.deleteTopicRecords({
        topic: topics.checkEvents,
        partitions: offsets.map((o) => ({ partition: o.partition, offset: String(Math.floor(Number(o.high) * 0.6)) })),
      });
      const after = await admin.fetchTopicOffsets(topics.checkEvents);
      expect(after.every((o) => Number(o.low) > 0)).toBe(true);
    } finally {
      await admin.disconnect();
    }
    const reader = new ReaderLoop(apiPool, tenantIdsOf(records));
    reader.start();
    try {
      await rebuild([]).run();
    } finally {
      await reader.stop();
    }
    expect(reader.errors).toEqual([]);
    expect(reader.regressions).toEqual([]);
    expect(await tableChecksums(pool)).toEqual(before);
  });
});
