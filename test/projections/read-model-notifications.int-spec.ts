import type { Kafka } from 'kafkajs';
import type { Notification, Pool, PoolClient } from 'pg';
import { parseCheckpointPayload, READ_MODEL_CHANNELS } from '@vinsight/database';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService, READ_MODELS_PROJECTION } from '@vinsight/projections';
import { publishRecords, recordFor, TenantEvents } from './support/raw-events';
import { createTestTopics, deleteTestTopics, InProcessProjector, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const clock = { now: () => new Date('2026-01-16T00:00:00.000Z') };
const SHA = 'a'.repeat(64);

/**
 * What the read API hears from the projector: every committed checkpoint move and every tenant
 * whose tenant row or API keys changed, sent from inside the batch's transaction.
 */
describe('the projector notifies readers of what its transactions committed', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let listener: PoolClient;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;
  const heard: Notification[] = [];
  const keys = new TenantEvents('notify-keys');
  const monitorsOnly = new TenantEvents('notify-monitors');

  beforeAll(async () => {
    db = await createScratchDatabase('notify');
    pool = db.projectorPool();
    listener = await pool.connect();
    listener.on('notification', (n) => heard.push(n));
    await listener.query(`LISTEN ${READ_MODEL_CHANNELS.checkpoint}; LISTEN ${READ_MODEL_CHANNELS.credentials}`);
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'notify', 2);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
    const keyId = keys.id('key');
    await publishRecords(kafka, `notify-${topics.events}`, [
      recordFor(topics.events, keys.tenantId, keys.tenantCreated()),
      recordFor(
        topics.events,
        keys.tenantId,
        keys.event('ApiKeyIssued', 'api-key', keyId, { apiKeyId: keyId, name: 'k', tokenSha256: SHA }),
      ),
      recordFor(topics.events, keys.tenantId, keys.event('ApiKeyRevoked', 'api-key', keyId, { apiKeyId: keyId })),
      recordFor(topics.events, monitorsOnly.tenantId, monitorsOnly.tenantCreated()),
    ]);
    const projector = new InProcessProjector(kafka, pool, topics, clock);
    await projector.start();
    try {
      await waitUntilCaughtUp(lag);
      // Tenant creation notified too; now a batch of monitor events only, which must not.
      heard.length = 0;
      await publishRecords(kafka, `notify-2-${topics.events}`, [
        recordFor(topics.events, monitorsOnly.tenantId, monitorsOnly.monitorCreated('home')),
        recordFor(topics.checkEvents, monitorsOnly.tenantId, monitorsOnly.check('home', 'c1', 5)),
      ]);
      await waitUntilCaughtUp(lag);
    } finally {
      await projector.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  afterAll(async () => {
    listener?.release();
    await lag?.close();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('notifies each checkpoint move, ending at the stored checkpoints', async () => {
    const notices = heard.filter((n) => n.channel === READ_MODEL_CHANNELS.checkpoint).map((n) => parseCheckpointPayload(n.payload ?? ''));
    expect(notices).not.toContain(null);
    const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
      'SELECT topic, partition, next_offset FROM projection_checkpoints WHERE projection = $1',
      [READ_MODELS_PROJECTION],
    );
    const monitorPartition = rows.find((r) => r.topic === topics.checkEvents)!.partition;
    for (const topic of [topics.events, topics.checkEvents]) {
      const stored = rows.find((r) => r.topic === topic && r.partition === monitorPartition)!;
      const last = notices.filter((n) => n!.topic === topic && n!.partition === monitorPartition).pop();
      expect(last?.nextOffset).toBe(BigInt(stored.next_offset));
    }
  });

  it('sends no credential notification for a batch that changes no tenant and no API key', async () => {
    expect(heard.filter((n) => n.channel === READ_MODEL_CHANNELS.credentials)).toEqual([]);
  });

  it('names the tenant whose row or API keys a batch changed', async () => {
    const fresh = new TenantEvents('notify-fresh');
    const keyId = fresh.id('key');
    heard.length = 0;
    await publishRecords(kafka, `notify-3-${topics.events}`, [
      recordFor(topics.events, fresh.tenantId, fresh.tenantCreated()),
      recordFor(
        topics.events,
        fresh.tenantId,
        fresh.event('ApiKeyIssued', 'api-key', keyId, { apiKeyId: keyId, name: 'k', tokenSha256: 'b'.repeat(64) }),
      ),
      recordFor(topics.events, fresh.tenantId, fresh.event('ApiKeyRevoked', 'api-key', keyId, { apiKeyId: keyId })),
    ]);
    const projector = new InProcessProjector(kafka, pool, topics, clock);
    await projector.start();
    try {
      await waitUntilCaughtUp(lag);
    } finally {
      await projector.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const credentials = heard.filter((n) => n.channel === READ_MODEL_CHANNELS.credentials).map((n) => n.payload);
    expect(new Set(credentials)).toEqual(new Set([fresh.tenantId]));
    const revoked = await pool.query('SELECT revoked_at FROM api_keys WHERE id = $1', [keyId]);
    expect(revoked.rows[0].revoked_at).not.toBeNull();
  });
});
