import type { Kafka } from 'kafkajs';
import { TEST_DECISION_PORTS } from '../../libs/domain/src/testing/domain-factories';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import {
  BatchRunner,
  CheckPartitions,
  decodeRecord,
  ProjectionEngine,
  ProjectionLagService,
  ProjectionTarget,
  READ_MODELS,
  SourceRecord,
} from '@vinsight/projections';
import { generateWorkload, messageOf, publishWorkload, WorkloadRecord } from '../../scripts/bench-projector.workload';
import { expectedReadModels } from './support/expected-read-models';
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
import { PersonalDataVault } from '@vinsight/personal-data';

const END = new Date('2026-01-15T12:00:00.000Z');
const clock = { now: () => END };

describe('projector on Kafka and Postgres', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;
  let records: WorkloadRecord[];

  beforeAll(async () => {
    db = await createScratchDatabase('projector');
    pool = db.projectorPool();
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'projector', 3);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
    records = [
      ...generateWorkload({
        tenants: 6,
        monitorsPerTenant: 3,
        checksPerMonitor: 60,
        end: END,
        downRate: 0.15,
        seed: 7,
        namespace: 'projit',
      }),
    ];
    await publishWorkload(kafka, topics, records, { transactionalId: `test-${topics.events}`, perTransaction: 100 });
    const projector = new InProcessProjector(kafka, pool, topics, clock);
    await projector.start();
    try {
      await waitUntilCaughtUp(lag);
    } finally {
      await projector.stop();
    }
  }, 120000);

  afterAll(async () => {
    await lag?.close();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('builds every read model from the events', async () => {
    const expected = expectedReadModels(records);
    const counts = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0].n);
    expect(await counts('SELECT count(*) AS n FROM tenants')).toBe(expected.tenants);
    expect(await counts('SELECT count(*) AS n FROM users')).toBe(expected.users);
    expect(await counts('SELECT count(*) AS n FROM api_keys')).toBe(expected.apiKeys);
    expect(await counts('SELECT count(*) AS n FROM monitors')).toBe(expected.monitors);
    expect(await counts('SELECT count(*) AS n FROM monitor_checks')).toBe(expected.checks);
    expect(await counts('SELECT count(*) AS n FROM audit_events')).toBe(expected.auditEvents);
    expect(await counts('SELECT count(*) AS n FROM projector.parked_events')).toBe(0);
    expect(
      await counts("SELECT count(*) AS n FROM audit_events WHERE issued_by IS NOT NULL AND issued_by LIKE 'service-%'"),
    ).toBeGreaterThan(0);
    expect(await counts('SELECT count(*) AS n FROM audit_events WHERE issued_by IS NULL')).toBeGreaterThan(0);
  });

  it('keeps each monitor at its latest version, status and last check', async () => {
    const expected = expectedReadModels(records);
    const latest = new Map<string, { version: number; status: string | null; isActive: boolean }>();
    for (const { envelope } of records) {
      const p = envelope.payload as Record<string, string>;
      if (envelope.aggregateType !== 'monitor') continue;
      const key = `${envelope.tenantId}|${p.monitorId}`;
      const current = latest.get(key) ?? { version: 0, status: 'unknown', isActive: true };
      latest.set(key, {
        version: envelope.version,
        status: envelope.type === 'MonitorStatusChanged' ? p.to : current.status,
        isActive: envelope.type === 'MonitorPaused' ? false : envelope.type === 'MonitorResumed' ? true : current.isActive,
      });
    }
    const { rows } = await pool.query('SELECT tenant_id, id, version, status, is_active, last_checked_at FROM monitors');
    for (const row of rows) {
      const key = `${row.tenant_id}|${row.id}`;
      expect({ key, version: row.version, status: row.status, isActive: row.is_active }).toEqual({ key, ...latest.get(key) });
      expect(row.last_checked_at.toISOString()).toBe(expected.lastCheckedAt.get(key));
    }
  });

  it('derives incidents from status changes', async () => {
    const expected = expectedReadModels(records);
    const { rows } = await pool.query(
      'SELECT tenant_id, monitor_id, started_at, resolved_at, first_error FROM incidents ORDER BY started_at',
    );
    const actual = new Map<string, { startedAt: string; resolvedAt: string | null }[]>();
    for (const row of rows) {
      const key = `${row.tenant_id}|${row.monitor_id}`;
      actual.set(key, [
        ...(actual.get(key) ?? []),
        { startedAt: row.started_at.toISOString(), resolvedAt: row.resolved_at?.toISOString() ?? null },
      ]);
      expect(['HTTP 503', 'connect ETIMEDOUT']).toContain(row.first_error);
    }
    const nonEmpty = new Map([...expected.incidents].filter(([, list]) => list.length > 0));
    expect(actual).toEqual(nonEmpty);
    expect(rows.length).toBeGreaterThan(5);
  });

  it('counts every check exactly once in the hourly and daily rollups', async () => {
    const { rows } = await pool.query(`
      SELECT c.tenant_id, c.monitor_id, c.checks, h.total AS hourly, d.total AS daily, h.histogram_total, h.rt_count
      FROM (SELECT tenant_id, monitor_id, count(*) AS checks FROM monitor_checks GROUP BY 1, 2) c
      JOIN (SELECT tenant_id, monitor_id, sum(total_checks) AS total, sum(response_time_count) AS rt_count,
                   (SELECT sum(x) FROM unnest(latency_histogram_sum(latency_histogram)) x) AS histogram_total
            FROM monitor_check_rollups_hourly GROUP BY 1, 2) h USING (tenant_id, monitor_id)
      JOIN (SELECT tenant_id, monitor_id, sum(total_checks) AS total FROM monitor_check_rollups_daily GROUP BY 1, 2) d USING (tenant_id, monitor_id)`);
    expect(rows.length).toBe(expectedReadModels(records).monitors);
    for (const row of rows) {
      expect([row.hourly, row.daily]).toEqual([row.checks, row.checks]);
      expect(row.histogram_total).toBe(row.rt_count);
    }
  });

  it('reports no lag once caught up, with the checkpoint at the end of every partition', async () => {
    const partitions = await lag.lag();
    expect(partitions).toHaveLength(6);
    for (const p of partitions) expect(p).toEqual({ ...p, checkpoint: p.highWatermark, lag: 0 });
  });

  it('serves the summary view per tenant', async () => {
    const { rows } = await pool.query('SELECT * FROM tenant_summaries ORDER BY tenant_id');
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(Number(row.monitors_total)).toBe(3);
      expect(Number(row.monitors_up) + Number(row.monitors_down) + Number(row.monitors_unknown) + Number(row.monitors_paused)).toBe(3);
      expect(Number(row.monitors_paused)).toBe(0);
    }
  });

  describe('re-delivery', () => {
    const sourceRecords = (): SourceRecord[] =>
      records.map((r, i) => {
        const message = messageOf(r);
        return {
          topic: r.role === 'events' ? topics.events : topics.checkEvents,
          partition: 0,
          offset: BigInt(i),
          key: Buffer.from(message.key as string),
          value: Buffer.from(message.value as string),
          headers: {},
        };
      });

    it('leaves every table identical when the same batches are applied again, bypassing the checkpoints', async () => {
      const before = await tableChecksums(pool);
      const engine = new ProjectionEngine(READ_MODELS, new PersonalDataVault(pool, testEnv.personalDataKeys));
      const decoded = sourceRecords().map((r) => decodeRecord(r, TEST_DECISION_PORTS));
      for (let start = 0; start < decoded.length; start += 250) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const outcome = await engine.apply(client, decoded.slice(start, start + 250));
          expect(outcome.rejected).toEqual([]);
          expect(outcome.changed.get('CheckRecorded') ?? 0).toBe(0);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      }
      expect(await tableChecksums(pool)).toEqual(before);
    });

    it('leaves every table identical when the topics are replayed from offset 0 with the checkpoints lost', async () => {
      const before = await tableChecksums(pool);
      await pool.query("DELETE FROM projection_checkpoints WHERE projection = 'read-models'");
      const projector = new InProcessProjector(kafka, pool, topics, clock);
      await projector.start();
      try {
        await waitUntilCaughtUp(lag);
      } finally {
        await projector.stop();
      }
      expect(await tableChecksums(pool)).toEqual(before);
    });

    /** A batch runner on the live tables, and a check-events checkpoint past offset 10. */
    const liveRunnerAndCheckpoint = async () => {
      const target = ProjectionTarget.live();
      const runner = new BatchRunner(pool, target, new CheckPartitions(pool, target, clock), quietLogger, testEnv.personalDataKeys);
      const [stored] = (await runner.checkpointStore.all(pool)).filter((c) => c.topic === topics.checkEvents && c.nextOffset > 10n);
      return { runner, stored };
    };

    it('skips a batch delivered again below the stored checkpoint', async () => {
      const before = await tableChecksums(pool);
      const { runner, stored } = await liveRunnerAndCheckpoint();
      const again = sourceRecords()
        .filter((r) => r.topic === topics.checkEvents)
        .slice(0, 10)
        .map((r, i) => ({ ...r, partition: stored.partition, offset: BigInt(i) }));
      const result = await runner.run({ topic: topics.checkEvents, partition: stored.partition, records: again, lastOffset: 9n });
      expect(result).toMatchObject({ applied: 0, skipped: 10, nextOffset: stored.nextOffset });
      expect(await tableChecksums(pool)).toEqual(before);
    });

    it('applies checks already in the read models once when they come again past the checkpoint (first attempt fails, guarded one succeeds)', async () => {
      const totals = async () =>
        (
          await pool.query<{ checks: number; hourly: number; daily: number }>(
            `SELECT (SELECT count(*) FROM monitor_checks)::int AS checks,
                    (SELECT sum(total_checks) FROM monitor_check_rollups_hourly)::int AS hourly,
                    (SELECT sum(total_checks) FROM monitor_check_rollups_daily)::int AS daily`,
          )
        ).rows[0];
      const before = await totals();
      const { runner, stored } = await liveRunnerAndCheckpoint();
      const again = sourceRecords()
        .filter((r) => r.topic === topics.checkEvents)
        .slice(0, 10)
        .map((r, i) => ({ ...r, partition: stored.partition, offset: stored.nextOffset + BigInt(i) }));
      try {
        const result = await runner.run({
          topic: topics.checkEvents,
          partition: stored.partition,
          records: again,
          lastOffset: stored.nextOffset + 9n,
        });
        expect(result).toMatchObject({ applied: 10, parked: 0, checksInserted: 0, nextOffset: stored.nextOffset + 10n });
        expect(await totals()).toEqual(before);
      } finally {
        // The records are not in Kafka at these offsets: the tests after this one read the real log from the checkpoint.
        await pool.query(
          `UPDATE projection_checkpoints SET next_offset = $1 WHERE projection = 'read-models' AND topic = $2 AND partition = $3`,
          [stored.nextOffset.toString(), topics.checkEvents, stored.partition],
        );
      }
    });

    it('counts a re-delivered check once when it comes in one batch with a new one, whatever the spelling of its ids', async () => {
      const delivered = records.find((r) => r.role === 'checkEvents')!.envelope;
      const p = delivered.payload as Record<string, string>;
      const key = [delivered.tenantId, p.monitorId];
      const totals = async () =>
        (
          await pool.query<{ checks: number; hourly: number; daily: number }>(
            `SELECT (SELECT count(*) FROM monitor_checks WHERE tenant_id = $1 AND monitor_id = $2)::int AS checks,
                    (SELECT sum(total_checks) FROM monitor_check_rollups_hourly WHERE tenant_id = $1 AND monitor_id = $2)::int AS hourly,
                    (SELECT sum(total_checks) FROM monitor_check_rollups_daily WHERE tenant_id = $1 AND monitor_id = $2)::int AS daily`,
            key,
          )
        ).rows[0];
      const before = await totals();
      const again = {
        ...delivered,
        tenantId: delivered.tenantId.toUpperCase(),
        payload: { ...p, checkId: p.checkId.toUpperCase(), monitorId: p.monitorId.toUpperCase() },
      };
      const newCheckId = '6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b';
      const fresh = {
        ...delivered,
        eventId: '0b1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e',
        payload: { ...p, checkId: newCheckId, checkedAt: new Date(Date.parse(p.checkedAt) + 1).toISOString() },
      };
      const recordOf = (value: object, offset: number): SourceRecord => ({
        topic: topics.checkEvents,
        partition: 0,
        offset: BigInt(offset),
        key: Buffer.from(delivered.tenantId),
        value: Buffer.from(JSON.stringify(value)),
        headers: {},
      });
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const outcome = await new ProjectionEngine(READ_MODELS, new PersonalDataVault(pool, testEnv.personalDataKeys)).apply(
          client,
          [recordOf(delivered, 0), recordOf(fresh, 1), recordOf(again, 2)].map((r) => decodeRecord(r, TEST_DECISION_PORTS)),
        );
        await client.query('COMMIT');
        expect({ rejected: outcome.rejected, inserted: outcome.changed.get('CheckRecorded') }).toEqual({ rejected: [], inserted: 1 });
      } finally {
        client.release();
      }
      expect(await totals()).toEqual({ checks: before.checks + 1, hourly: before.hourly + 1, daily: before.daily + 1 });
    });
  });
});
