import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService } from '@vinsight/projections';
import { publishRecords, recordFor, TenantEvents } from './support/raw-events';
import { createTestTopics, deleteTestTopics, InProcessProjector, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const clock = { now: () => new Date('2026-01-16T00:00:00.000Z') };

/**
 * The projector on maintenance: windows folded into maintenance_windows (scheduled, cancelled,
 * delivered twice), and checks stored with in_maintenance and counted apart in the rollups.
 */
describe('projector: maintenance windows and checks in maintenance', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;
  const t = new TenantEvents('maintenance');
  const monitorId = t.id('db');
  const oneOff = t.id('one-off');
  const weekly = t.id('weekly');

  beforeAll(async () => {
    db = await createScratchDatabase('maintenance');
    pool = db.projectorPool();
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'maintenance', 2);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
    const scheduled = t.event('MaintenanceScheduled', 'maintenance-window', oneOff, {
      maintenanceWindowId: oneOff,
      monitorId,
      title: 'Upgrade',
      startsAt: t.at(10),
      endsAt: t.at(40),
    });
    const cancelled = t.event('MaintenanceCancelled', 'maintenance-window', oneOff, { maintenanceWindowId: oneOff });
    await publishRecords(kafka, `maintenance-${topics.events}`, [
      recordFor(topics.events, t.tenantId, t.tenantCreated()),
      recordFor(topics.events, t.tenantId, t.monitorCreated('db')),
      recordFor(topics.events, t.tenantId, scheduled),
      recordFor(
        topics.events,
        t.tenantId,
        t.event('MaintenanceScheduled', 'maintenance-window', weekly, {
          maintenanceWindowId: weekly,
          startsAt: t.at(0),
          recurrence: { daysOfWeek: ['sat', 'sun'], startTime: '02:00', durationMinutes: 90, timezone: 'Europe/Paris' },
        }),
      ),
      recordFor(topics.checkEvents, t.tenantId, t.check('db', 'before', 5, { responseTimeMs: 100 })),
      recordFor(
        topics.checkEvents,
        t.tenantId,
        t.check('db', 'inside-1', 15, { status: 'down', responseTimeMs: 9000, inMaintenance: true }),
      ),
      recordFor(
        topics.checkEvents,
        t.tenantId,
        t.check('db', 'inside-2', 20, { status: 'error', responseTimeMs: undefined, inMaintenance: true }),
      ),
      recordFor(topics.checkEvents, t.tenantId, t.check('db', 'after', 45, { responseTimeMs: 300, inMaintenance: false })),
      // delivered again: no second row, no second count
      recordFor(topics.events, t.tenantId, scheduled),
      recordFor(
        topics.checkEvents,
        t.tenantId,
        t.check('db', 'inside-1', 15, { status: 'down', responseTimeMs: 9000, inMaintenance: true }),
      ),
      recordFor(topics.events, t.tenantId, cancelled),
    ]);
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
    if (kafka && topics) await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('keeps one row per window, with its recurrence and its cancellation', async () => {
    const { rows } = await pool.query(
      `SELECT id, monitor_id, title, starts_at, ends_at, recurrence_days, recurrence_start_time, recurrence_duration_minutes,
              recurrence_timezone, cancelled_at, version
         FROM maintenance_windows WHERE tenant_id = $1 ORDER BY starts_at`,
      [t.tenantId],
    );
    expect(rows).toEqual([
      {
        id: weekly,
        monitor_id: null,
        title: null,
        starts_at: new Date(t.at(0)),
        ends_at: null,
        recurrence_days: ['sat', 'sun'],
        recurrence_start_time: '02:00',
        recurrence_duration_minutes: 90,
        recurrence_timezone: 'Europe/Paris',
        cancelled_at: null,
        version: 1,
      },
      {
        id: oneOff,
        monitor_id: monitorId,
        title: 'Upgrade',
        starts_at: new Date(t.at(10)),
        ends_at: new Date(t.at(40)),
        recurrence_days: null,
        recurrence_start_time: null,
        recurrence_duration_minutes: null,
        recurrence_timezone: null,
        cancelled_at: expect.any(Date),
        version: 2,
      },
    ]);
  });

  it('stores checks with in_maintenance and counts them apart in both rollups', async () => {
    const checks = await pool.query(`SELECT id, in_maintenance FROM monitor_checks WHERE tenant_id = $1 ORDER BY checked_at`, [t.tenantId]);
    expect(checks.rows.map((r) => [r.id, r.in_maintenance])).toEqual([
      [t.id('before'), false],
      [t.id('inside-1'), true],
      [t.id('inside-2'), true],
      [t.id('after'), false],
    ]);
    for (const table of ['monitor_check_rollups_hourly', 'monitor_check_rollups_daily']) {
      const { rows } = await pool.query(
        `SELECT sum(total_checks)::int AS total, sum(up_checks)::int AS up, sum(down_checks)::int AS down, sum(error_checks)::int AS error,
                sum(maintenance_checks)::int AS maintenance, sum(response_time_sum_ms)::int AS sum_ms, sum(response_time_count)::int AS timed
           FROM ${table} WHERE tenant_id = $1`,
        [t.tenantId],
      );
      expect(rows[0]).toEqual({ total: 2, up: 2, down: 0, error: 0, maintenance: 2, sum_ms: 400, timed: 2 });
    }
  });
});
