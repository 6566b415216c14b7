import { encodeConsistencyToken } from '@vinsight/contracts';
import { checkpointPayload, READ_MODEL_CHANNELS } from '@vinsight/database';
import { topicNames } from '@vinsight/kafka';
import { ReadModelListener } from '@vinsight/read-api';
import { Pool } from 'pg';
import request from 'supertest';
import { TenantSeed, bearer } from './read-api.fixtures';
import { ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';
import { testEnv } from '../test-env';

/** Resolves once the app's listener hears notifications (it connects in the background). */
async function listening(api: ReadApiTestApp, up = true): Promise<void> {
  const listener = api.app.get(ReadModelListener);
  const deadline = performance.now() + 10000;
  while (listener.up !== up) {
    if (performance.now() > deadline) throw new Error(`listener not ${up ? 'up' : 'down'} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('X-Consistency-Token (read-your-writes)', () => {
  let api: ReadApiTestApp;
  let pool: Pool;
  let seed: TenantSeed;
  let topics: { events: string; checkEvents: string };

  /** As the projector moves a checkpoint: the row, and (unless `silently`) its notification in the same transaction. */
  const setCheckpoint = async (topic: string, partition: number, nextOffset: number, silently = false) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('read-models', $1, $2, $3)
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [topic, partition, nextOffset],
      );
      if (!silently) {
        await client.query('SELECT pg_notify($1, $2)', [
          READ_MODEL_CHANNELS.checkpoint,
          checkpointPayload({ topic, partition, nextOffset: BigInt(nextOffset) }),
        ]);
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const read = (token: string, app = api) =>
    request(app.server).get('/v1/summary').set(bearer(seed.token)).set('x-consistency-token', token);

  beforeAll(async () => {
    pool = projectorPool();
    seed = new TenantSeed(pool);
    await seed.insertTenant();
    await seed.insertApiKey(seed.apiKeyId, seed.token);
    api = await startReadApi({ env: { CONSISTENCY_WAIT_MS: '1000' } });
    topics = topicNames(api.config.kafka.topicPrefix);
    await listening(api);
  });

  afterAll(async () => {
    await api?.close();
    await pool?.query('DELETE FROM projection_checkpoints WHERE topic = ANY($1::text[])', [[topics.events, topics.checkEvents]]);
    await seed?.delete();
    await pool?.end();
  });

  it('answers at once when the read models include the position', async () => {
    await setCheckpoint(topics.events, 3, 11);
    const response = await read(encodeConsistencyToken({ partition: 3, eventsOffset: '10' })).expect(200);
    expect(response.body.monitors.total).toBe(0);
  });

  it('answers 503 with Retry-After after CONSISTENCY_WAIT_MS when they do not', async () => {
    await setCheckpoint(topics.events, 4, 10);
    const started = performance.now();
    const response = await read(encodeConsistencyToken({ partition: 4, eventsOffset: '10' })).expect(503);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 503, type: 'urn:vinsight:problem:consistency-timeout' });
  });

  it('waits until the projection passes the position', async () => {
    await setCheckpoint(topics.events, 5, 20);
    const started = performance.now();
    const pending = read(encodeConsistencyToken({ partition: 5, eventsOffset: '20' }));
    setTimeout(() => void setCheckpoint(topics.events, 5, 21), 300);
    await pending.expect(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('needs both the events and check-events offsets of a position', async () => {
    await setCheckpoint(topics.events, 6, 100);
    await setCheckpoint(topics.checkEvents, 6, 5);
    await read(encodeConsistencyToken({ partition: 6, eventsOffset: '50', checkEventsOffset: '5' })).expect(503);
    await read(encodeConsistencyToken({ partition: 6, eventsOffset: '50', checkEventsOffset: '4' })).expect(200);
    await read(encodeConsistencyToken({ partition: 7, checkEventsOffset: '0' })).expect(503);
  });

  describe('how a waiting request learns of the checkpoint', () => {
    /** Same topics as `api`, waits of up to 5 s, and a poll so slow that only a notification can answer in time. */
    const startWith = (settings: { notifications: boolean; consistencyPollMs: number }) =>
      startReadApi({ env: { CONSISTENCY_WAIT_MS: '5000', KAFKA_TOPIC_PREFIX: api.config.kafka.topicPrefix }, settings });

    it("is woken by the projector's notification, not by a poll", async () => {
      const pushed = await startWith({ notifications: true, consistencyPollMs: 60000 });
      try {
        await listening(pushed);
        await setCheckpoint(topics.events, 8, 30);
        const started = performance.now();
        const pending = read(encodeConsistencyToken({ partition: 8, eventsOffset: '30' }), pushed);
        setTimeout(() => void setCheckpoint(topics.events, 8, 31), 300);
        await pending.expect(200);
        expect(performance.now() - started).toBeLessThan(1000);
      } finally {
        await pushed.close();
      }
    });

    it('polls while it hears no notifications', async () => {
      const polled = await startWith({ notifications: false, consistencyPollMs: 25 });
      try {
        await setCheckpoint(topics.events, 9, 40, true);
        const pending = read(encodeConsistencyToken({ partition: 9, eventsOffset: '40' }), polled);
        setTimeout(() => void setCheckpoint(topics.events, 9, 41, true), 300);
        await pending.expect(200);
      } finally {
        await polled.close();
      }
    });

    it('falls back to polling when its connection is lost, and listens again once reconnected', async () => {
      const pushed = await startWith({ notifications: true, consistencyPollMs: 25 });
      const superuser = new Pool({ connectionString: testEnv.superuserUrl, max: 1 });
      try {
        await listening(pushed);
        await setCheckpoint(topics.events, 10, 50);
        const pending = read(encodeConsistencyToken({ partition: 10, eventsOffset: '50' }), pushed);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await superuser.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
          `vinsight-read-api-listener-${process.pid}`,
        ]);
        await listening(pushed, false);
        // Not notified: only the fallback poll can see it.
        await setCheckpoint(topics.events, 10, 51, true);
        await pending.expect(200);
        await listening(pushed);
        const started = performance.now();
        const next = read(encodeConsistencyToken({ partition: 10, eventsOffset: '51' }), pushed);
        setTimeout(() => void setCheckpoint(topics.events, 10, 52), 200);
        await next.expect(200);
        expect(performance.now() - started).toBeLessThan(1000);
      } finally {
        await superuser.end();
        await pushed.close();
      }
    });
  });

  it('refuses a token that is not a position with 400', async () => {
    const response = await read('not-a-token!').expect(400);
    expect(response.body.errors).toEqual([{ field: 'X-Consistency-Token', message: 'must be the position of a command result' }]);
    await read(Buffer.from('v2.p1.e3').toString('base64url')).expect(400);
  });
});
