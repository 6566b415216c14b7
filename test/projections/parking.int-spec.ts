import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ParkedEventsRepository, ParkedEventsService, ProjectionLagService, READ_MODELS_PROJECTION } from '@vinsight/projections';
import { BCRYPT, publishRecords, recordFor, TenantEvents } from './support/raw-events';
import { createTestTopics, deleteTestTopics, InProcessProjector, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { testEnv } from '../test-env';

const clock = { now: () => new Date('2026-01-16T00:00:00.000Z') };

describe('poison events are parked, the projection goes on, operators replay them', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;
  let projector: InProcessProjector;
  const t = new TenantEvents('parking');
  const userA = t.id('user-a');
  const userB = t.id('user-b');

  const count = async (sql: string, params: unknown[] = []) => Number((await pool.query<{ n: string }>(sql, params)).rows[0].n);

  beforeAll(async () => {
    db = await createScratchDatabase('parking');
    pool = db.projectorPool();
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'parking', 2);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
    projector = new InProcessProjector(kafka, pool, topics, clock);
    const key = t.tenantId;
    await publishRecords(kafka, `parking-1-${topics.events}`, [
      recordFor(topics.events, key, t.tenantCreated()),
      recordFor(
        topics.events,
        key,
        t.event('UserRegistered', 'user', userA, { userId: userA, email: 'ann@example.com', passwordHash: BCRYPT, role: 'owner' }),
      ),
      recordFor(topics.events, key, '{"this is": not json'),
      recordFor(topics.events, key, JSON.stringify({ ...t.tenantCreated(), type: 'TenantTeleported' })),
      // the same address as Ann's, in other letters: refused by users_tenant_email_key (23505)
      recordFor(
        topics.events,
        key,
        t.event('UserRegistered', 'user', userB, { userId: userB, email: 'ANN@example.com', passwordHash: BCRYPT, role: 'user' }),
      ),
      recordFor(topics.events, key, t.monitorCreated('home')),
      recordFor(topics.events, key, t.event('UserRoleChanged', 'user', userA, { userId: userA, role: 'admin', previousRole: 'owner' })),
      recordFor(topics.checkEvents, key, t.check('home', 'check-1', 10)),
      recordFor(topics.checkEvents, key, t.check('home', 'check-2', 11, { checkId: 'not-a-uuid' })),
      recordFor(topics.checkEvents, key, t.check('home', 'check-3', 12)),
    ]);
    await projector.start();
    await waitUntilCaughtUp(lag);
  });

  afterAll(async () => {
    await projector?.stop();
    await lag?.close();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('applies every valid event around the poison ones', async () => {
    expect(await count('SELECT count(*) AS n FROM users WHERE role = $1 AND id = $2', ['admin', userA])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM users')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM monitors')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM monitor_checks')).toBe(2);
    expect(await count('SELECT coalesce(sum(total_checks), 0) AS n FROM monitor_check_rollups_hourly')).toBe(2);
    expect(await count('SELECT count(*) AS n FROM audit_events')).toBe(4);
  });

  it('parks each poison event once, with its reason, and moves the checkpoints past them', async () => {
    // Listed in the order they were parked; the two topics' batches commit in either order.
    const topicOrder = [topics.events, topics.checkEvents];
    const parked = (await new ParkedEventsService(pool, testEnv.personalDataKeys).list()).sort(
      (a, b) => topicOrder.indexOf(a.topic) - topicOrder.indexOf(b.topic) || Number(a.offset - b.offset),
    );
    expect(parked.map((p) => [p.topic, p.eventType, p.errorCode])).toEqual([
      [topics.events, null, 'UNREADABLE'],
      [topics.events, 'TenantTeleported', 'UNSUPPORTED_EVENT'],
      [topics.events, 'UserRegistered', '23505'],
      [topics.checkEvents, 'CheckRecorded', 'INVALID_PAYLOAD'],
    ]);
    expect(parked[2].reason).toMatch(/users_tenant_email_key/);
    expect(parked[3].reason).toMatch(/checkId/);
    expect(parked.every((p) => p.tenantId === t.tenantId || p.eventType === null)).toBe(true);
    for (const p of await lag.lag()) expect(p.lag).toBe(0);
  });

  it("keeps each parked record's headers as they were published", async () => {
    const rows = (
      await pool.query<{ event_type: string | null; event_id: string | null; headers: unknown }>(
        'SELECT event_type, event_id, headers FROM projector.parked_events',
      )
    ).rows;
    const check = rows.find((row) => row.event_type === 'CheckRecorded')!;
    expect(check.headers).toEqual({
      type: 'CheckRecorded',
      schemaVersion: '1',
      eventId: check.event_id,
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(rows.find((row) => row.event_type === null)!.headers).toEqual({});
  });

  it('replays a parked event once its cause is gone, and keeps refusing the ones still invalid', async () => {
    await publishRecords(kafka, `parking-2-${topics.events}`, [
      recordFor(topics.events, t.tenantId, t.event('UserRemoved', 'user', userA, { userId: userA })),
    ]);
    await waitUntilCaughtUp(lag);
    const service = new ParkedEventsService(pool, testEnv.personalDataKeys);
    const parked = await service.list();
    const registration = parked.find((p) => p.eventType === 'UserRegistered')!;
    const check = parked.find((p) => p.eventType === 'CheckRecorded')!;

    expect(await service.replay(registration.id)).toEqual({ id: registration.id, outcome: 'applied' });
    expect(await count('SELECT count(*) AS n FROM users WHERE id = $1 AND deleted_at IS NULL', [userB])).toBe(1);
    expect(await count('SELECT count(*) AS n FROM audit_events WHERE aggregate_id = $1', [userB])).toBe(1);
    expect(await service.replay(registration.id)).toEqual({ id: registration.id, outcome: 'already-replayed' });

    expect(await service.replay(check.id)).toMatchObject({ id: check.id, outcome: 'failed', errorCode: 'INVALID_PAYLOAD' });
    const [after] = (await service.list({ includeReplayed: true })).filter((p) => p.id === check.id);
    expect(after).toMatchObject({ replayCount: 1, replayedAt: null });
    expect(await service.countWaiting()).toBe(3);
  });

  it('dismisses an event that will never apply, with its reason, so it no longer counts as waiting', async () => {
    const service = new ParkedEventsService(pool, testEnv.personalDataKeys);
    const before = await service.countWaiting();
    const unreadable = (await service.list()).find((p) => p.errorCode === 'UNREADABLE')!;
    await expect(service.dismiss(unreadable.id, '   ')).rejects.toThrow(/reason of 1\.\.500/);
    expect(await service.dismiss(unreadable.id, 'garbage written by a test producer')).toEqual({ id: unreadable.id, outcome: 'dismissed' });
    expect(await service.dismiss(unreadable.id, 'again')).toEqual({ id: unreadable.id, outcome: 'already-replayed' });
    expect(await service.dismiss('999999999', 'no such event')).toEqual({ id: '999999999', outcome: 'not-found' });
    expect(await service.dismiss('not-a-number', 'no such event')).toEqual({ id: 'not-a-number', outcome: 'not-found' });
    expect(await service.countWaiting()).toBe(before - 1);
    const [after] = (await service.list({ includeReplayed: true })).filter((p) => p.id === unreadable.id);
    expect(after).toMatchObject({ replayOutcome: 'dismissed', dismissalReason: 'garbage written by a test producer' });
    expect(after.replayedAt).toBeInstanceOf(Date);
    // A dismissed event is resolved: replaying it does nothing.
    expect(await service.replay(unreadable.id)).toEqual({ id: unreadable.id, outcome: 'already-replayed' });
  });

  it('reports an old event as superseded when newer ones already moved its row on', async () => {
    const renamed = t.event('TenantRenamed', 'tenant', t.tenantId, { name: 'Renamed once', previousName: 'parking' }, { version: 2 });
    const renamedAgain = t.event(
      'TenantRenamed',
      'tenant',
      t.tenantId,
      { name: 'Renamed twice', previousName: 'Renamed once' },
      { version: 3 },
    );
    await publishRecords(kafka, `parking-3-${topics.events}`, [recordFor(topics.events, t.tenantId, renamedAgain)]);
    await waitUntilCaughtUp(lag);
    const client = await pool.connect();
    try {
      await new ParkedEventsRepository().park(client, READ_MODELS_PROJECTION, [
        {
          record: {
            topic: topics.events,
            partition: 0,
            offset: 999_999n,
            key: null,
            value: Buffer.from(JSON.stringify(renamed)),
            headers: {},
          },
          reason: 'parked by hand for this test',
          errorCode: 'TEST',
          eventType: 'TenantRenamed',
        },
      ]);
    } finally {
      client.release();
    }
    const service = new ParkedEventsService(pool, testEnv.personalDataKeys);
    const parked = (await service.list()).find((p) => p.errorCode === 'TEST')!;
    expect(await service.replay(parked.id)).toEqual({ id: parked.id, outcome: 'superseded' });
    expect((await pool.query('SELECT name, version FROM tenants')).rows).toEqual([{ name: 'Renamed twice', version: 3 }]);
  });
});
