import { encodeConsistencyToken } from '@vinsight/contracts';
import { topicNames } from '@vinsight/kafka';
import { Pool } from 'pg';
import request from 'supertest';
import { TenantSeed, bearer } from './read-api.fixtures';
import { ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';

describe('X-Consistency-Token (read-your-writes)', () => {
  let api: ReadApiTestApp;
  let pool: Pool;
  let seed: TenantSeed;
  let topics: { events: string; checkEvents: string };

  const setCheckpoint = (topic: string, partition: number, nextOffset: number) =>
    pool.query(
      `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('read-models', $1, $2, $3)
       ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
      [topic, partition, nextOffset],
    );
  const read = (token: string) => request(api.server).get('/v1/summary').set(bearer(seed.token)).set('x-consistency-token', token);

  beforeAll(async () => {
    pool = projectorPool();
    seed = new TenantSeed(pool);
    await seed.insertTenant();
    await seed.insertApiKey(seed.apiKeyId, seed.token);
    api = await startReadApi({ env: { CONSISTENCY_WAIT_MS: '1000' } });
    topics = topicNames(api.config.kafka.topicPrefix);
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

  it('refuses a token that is not a position with 400', async () => {
    const response = await read('not-a-token!').expect(400);
    expect(response.body.errors).toEqual([{ field: 'X-Consistency-Token', message: 'must be the position of a command result' }]);
    await read(Buffer.from('v2.p1.e3').toString('base64url')).expect(400);
  });
});
