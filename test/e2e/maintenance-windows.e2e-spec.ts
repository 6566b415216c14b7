import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import request from 'supertest';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { command } from '../commands/commands';
import { deleteTestTopics } from '../projections/support/projector-harness';
import { KafkaTenantScenario } from '../read-api/kafka-tenant.scenario';
import { bearer, deleteTenants } from '../read-api/read-api.fixtures';
import { projectorPool } from '../read-api/read-api.harness';
import { testEnv } from '../test-env';
import { ServiceProcess, freePort, roleEnvironment } from './service-process';

const sleepUntil = (at: Date) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at.getTime() - Date.now())));

/**
 * Maintenance windows end to end on the built apps: commands through Kafka, the processor's
 * decisions, the projector's rows, the read API's answers. `db` has a window; checks inside it are
 * down yet change no status and open no incident, and uptime leaves them out; the first check
 * after it opens the incident. `web` has a window that is cancelled before its checks.
 */
describe('maintenance windows through Kafka and HTTP', () => {
  const prefix = `e2e.maint.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const env = roleEnvironment({
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-maint-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '2',
    MIGRATE_ON_START: 'false',
    READ_API_RATE_LIMIT_PER_SECOND: '0',
  });
  let kafka: Kafka;
  let client: CommandClient;
  let pool: Pool;
  let processor: ServiceProcess;
  let projector: ServiceProcess;
  let api: ServiceProcess;
  let t: KafkaTenantScenario;
  let db: string;
  let web: string;
  const dbWindow = randomUUID();
  const webWindow = randomUUID();
  let windowStart: Date;
  let windowEnd: Date;

  const get = (path: string) => request(api.url('')).get(path).set(bearer(t.token)).set('x-consistency-token', t.position);

  beforeAll(async () => {
    pool = projectorPool();
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'maintenance-e2e' }, { logLevel: 1 });
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    projector = ServiceProcess.start('projector', env, await freePort());
    api = ServiceProcess.start('read-api', env, await freePort());
    await Promise.all([projector.waitFor('/health/startup', 60000), api.waitFor('/health/live')]);
    client = await CommandClient.connect(kafka, topics);
    t = new KafkaTenantScenario(client, new Date());
    await t.create('pro');
    db = await t.createMonitor('Database');
    web = await t.createMonitor('Web');
  }, 120000);

  afterAll(async () => {
    await client?.disconnect();
    await Promise.all([api?.stop(), projector?.stop(), processor?.stop()]);
    if (pool) {
      await deleteTenants(pool, [t.tenantId]);
      await pool.query('DELETE FROM tenant_slug_reservations WHERE tenant_id = $1', [t.tenantId]);
      await pool.query('DELETE FROM projection_checkpoints WHERE topic LIKE $1', [`${prefix}%`]);
      await pool.query('DELETE FROM processor_snapshots WHERE stream = $1', [topics.commands]);
      await pool.end();
    }
    if (kafka) await deleteTestTopics(kafka, topics);
  });

  it('refuses a window that ends before it starts, for an unknown monitor, or in an unknown time zone', async () => {
    const schedule = (payload: Record<string, unknown>) =>
      client.execute(command('ScheduleMaintenance', t.tenantId, { maintenanceWindowId: randomUUID(), ...payload }));
    const backwards = await schedule({ startsAt: t.minutesAgo(-10).toISOString(), endsAt: t.minutesAgo(-5).toISOString() });
    expect(backwards).toMatchObject({ status: 'rejected', error: { code: 'VALIDATION_FAILED' } });
    const unknown = await schedule({ monitorId: randomUUID(), startsAt: t.now.toISOString(), endsAt: t.minutesAgo(-5).toISOString() });
    expect(unknown).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND', details: [{ field: 'payload.monitorId' }] } });
    const zone = await schedule({
      startsAt: t.now.toISOString(),
      recurrence: { daysOfWeek: ['mon'], startTime: '02:00', durationMinutes: 30, timezone: 'Mars/Olympus' },
    });
    expect(zone).toMatchObject({
      status: 'rejected',
      error: { code: 'VALIDATION_FAILED', details: [{ field: 'payload.recurrence.timezone' }] },
    });
  });

  it('keeps checks inside the window from changing the status or opening an incident', async () => {
    await t.check(db, 'up', 50, 80);
    windowStart = t.minutesAgo(30);
    windowEnd = new Date(Date.now() + 15_000);
    await t.accept(
      command('ScheduleMaintenance', t.tenantId, {
        maintenanceWindowId: dbWindow,
        monitorId: db,
        title: 'Database upgrade',
        startsAt: windowStart.toISOString(),
        endsAt: windowEnd.toISOString(),
      }),
    );
    await t.check(db, 'down', 25, 5000, 'HTTP 503');
    await t.check(db, 'error', 15, 0, 'ECONNREFUSED');
    await t.check(db, 'down', 5, 4000, 'HTTP 503');

    const monitor = await get(`/v1/monitors/${db}`).expect(200);
    expect(monitor.body.status).toBe('up');
    expect((await get(`/v1/monitors/${db}/incidents`).expect(200)).body.data).toEqual([]);
    const checks = await get(`/v1/monitors/${db}/checks`).expect(200);
    expect(checks.body.data.map((c: { status: string; inMaintenance: boolean }) => [c.status, c.inMaintenance])).toEqual([
      ['down', true],
      ['error', true],
      ['down', true],
      ['up', false],
    ]);
    const windows = await get(`/v1/maintenance-windows?monitorId=${db}&active=true`).expect(200);
    expect(windows.body.data).toEqual([
      expect.objectContaining({
        id: dbWindow,
        monitorId: db,
        title: 'Database upgrade',
        startsAt: windowStart.toISOString(),
        endsAt: windowEnd.toISOString(),
        recurrence: null,
        cancelledAt: null,
        active: true,
        currentOccurrence: { start: windowStart.toISOString(), end: windowEnd.toISOString() },
      }),
    ]);
  });

  it('opens the incident with the first down check after the window, and leaves the window out of uptime', async () => {
    await sleepUntil(new Date(windowEnd.getTime() + 1000));
    const after = new Date();
    await t.accept(
      command('RecordCheckResult', t.tenantId, {
        monitorId: db,
        checkId: randomUUID(),
        status: 'down',
        responseTimeMs: 3000,
        errorMessage: 'HTTP 500',
        checkedAt: after.toISOString(),
      }),
    );
    expect((await get(`/v1/monitors/${db}`).expect(200)).body.status).toBe('down');
    const incidents = await get(`/v1/monitors/${db}/incidents`).expect(200);
    expect(incidents.body.data).toEqual([
      expect.objectContaining({ startedAt: after.toISOString(), resolvedAt: null, firstError: 'HTTP 500' }),
    ]);

    const uptime = await get(`/v1/monitors/${db}/uptime?window=24h`).expect(200);
    expect(uptime.body).toMatchObject({
      totalChecks: 2,
      upChecks: 1,
      downChecks: 1,
      errorChecks: 0,
      uptimePercent: 50,
      maintenanceChecks: 3,
      maintenanceSeconds: (windowEnd.getTime() - windowStart.getTime()) / 1000,
      incidentCount: 1,
      avgResponseTimeMs: (80 + 3000) / 2,
    });
    expect((await get(`/v1/maintenance-windows?active=true`).expect(200)).body.data).toEqual([]);
    const ended = await get(`/v1/maintenance-windows?active=false`).expect(200);
    expect(ended.body.data).toEqual([expect.objectContaining({ id: dbWindow, active: false, currentOccurrence: null })]);
  });

  it('stops holding a monitor once its window is cancelled', async () => {
    await t.check(web, 'up', 45, 90);
    await t.accept(
      command('ScheduleMaintenance', t.tenantId, {
        maintenanceWindowId: webWindow,
        startsAt: t.minutesAgo(40).toISOString(),
        recurrence: {
          daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
          startTime: '00:00',
          durationMinutes: 1440,
          timezone: 'Europe/Paris',
        },
      }),
    );
    await t.check(web, 'down', 35, 900, 'HTTP 502');
    expect((await get(`/v1/monitors/${web}`).expect(200)).body.status).toBe('up');
    const cancelled = await t.accept(command('CancelMaintenance', t.tenantId, { maintenanceWindowId: webWindow }));
    expect(cancelled).toMatchObject({ aggregateId: webWindow, version: 2 });
    await t.check(web, 'down', 0, 900, 'HTTP 502');
    expect((await get(`/v1/monitors/${web}`).expect(200)).body.status).toBe('down');
    expect((await get(`/v1/monitors/${web}/incidents`).expect(200)).body.data).toHaveLength(1);
    const uptime = await get(`/v1/monitors/${web}/uptime?window=24h`).expect(200);
    expect(uptime.body).toMatchObject({ totalChecks: 2, upChecks: 1, downChecks: 1, maintenanceChecks: 1 });
    // the every-day window held web from its start until the cancellation
    expect(uptime.body.maintenanceSeconds).toBeGreaterThan(35 * 60);
    expect(uptime.body.maintenanceSeconds).toBeLessThan(60 * 60);
    const listed = await get(`/v1/maintenance-windows?monitorId=${web}`).expect(200);
    expect(listed.body.data.map((w: { id: string; active: boolean }) => [w.id, w.active])).toEqual([[webWindow, false]]);
    expect(listed.body.data[0].cancelledAt).toEqual(expect.any(String));
  });
});
