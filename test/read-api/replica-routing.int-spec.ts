import { encodeConsistencyToken } from '@vinsight/contracts';
import { topicNames } from '@vinsight/kafka';
import { Pool } from 'pg';
import request from 'supertest';
import { testEnv } from '../test-env';
import { TenantSeed, bearer } from './read-api.fixtures';
import { ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';

function replicaSuperuserUrl(): string {
  const url = new URL(testEnv.superuserUrl);
  url.port = new URL(testEnv.replicaUrl).port;
  return url.toString();
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Reads go to the streaming replica while its measured lag is under the limits, move to the
 * primary while WAL replay is paused (and stay correct), and come back once it has caught up.
 * The limits are set to their minimum (1 s, 1 byte) so that any unreplayed WAL counts as lag.
 */
describe('replica routing', () => {
  let api: ReadApiTestApp;
  let pool: Pool;
  let replicaSuperuser: Pool;
  let seed: TenantSeed;
  let monitorId: string;

  const readMonitor = async () => {
    const response = await request(api.server).get(`/v1/monitors/${monitorId}`).set(bearer(seed.token));
    return { status: response.status, source: response.headers['x-read-source'], name: response.body.name as string | undefined };
  };

  beforeAll(async () => {
    pool = projectorPool();
    replicaSuperuser = new Pool({ connectionString: replicaSuperuserUrl(), max: 1 });
    seed = new TenantSeed(pool);
    await seed.insertTenant();
    await seed.insertApiKey(seed.apiKeyId, seed.token);
    monitorId = await seed.insertMonitor({ name: 'before', status: 'up', isActive: true, createdAt: new Date('2026-01-01T00:00:00Z') });
    api = await startReadApi({
      replica: true,
      env: { REPLICATION_LAG_MAX_SECONDS: '1', REPLICATION_LAG_MAX_BYTES: '1', CONSISTENCY_WAIT_MS: '2000' },
      settings: { replicaLagPollMs: 100 },
    });
  });

  afterAll(async () => {
    // Never leave the shared replica paused, whatever happened.
    await replicaSuperuser?.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
    await api?.close();
    await seed?.delete();
    await pool
      ?.query('DELETE FROM projection_checkpoints WHERE topic = $1', [topicNames(api.config.kafka.topicPrefix).events])
      .catch(() => undefined);
    await Promise.all([pool?.end(), replicaSuperuser?.end()]);
  });

  it('reads from the replica while it keeps up', async () => {
    const seen = await eventually(readMonitor, (r) => r.status === 200 && r.source === 'replica');
    expect(seen.name).toBe('before');
  });

  it('moves reads to the primary while replay is paused, and back after it catches up', async () => {
    await eventually(readMonitor, (r) => r.status === 200 && r.source === 'replica');
    await replicaSuperuser.query('SELECT pg_wal_replay_pause()');
    try {
      await pool.query(`UPDATE monitors SET name = 'after', version = version + 1 WHERE tenant_id = $1 AND id = $2`, [
        seed.tenantId,
        monitorId,
      ]);
      const during = await eventually(readMonitor, (r) => r.source === 'primary');
      expect(during).toEqual({ status: 200, source: 'primary', name: 'after' });
      // Stays on the primary, and correct, for as long as the replica lags.
      for (let i = 0; i < 5; i++) expect(await readMonitor()).toEqual({ status: 200, source: 'primary', name: 'after' });
    } finally {
      await replicaSuperuser.query('SELECT pg_wal_replay_resume()');
    }
    const after = await eventually(readMonitor, (r) => r.source === 'replica');
    expect(after).toEqual({ status: 200, source: 'replica', name: 'after' });
  });

  it('answers a consistency token from the replica once the replica includes it', async () => {
    const topic = topicNames(api.config.kafka.topicPrefix).events;
    await pool.query(`INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ('read-models', $1, 0, 8)`, [
      topic,
    ]);
    const token = encodeConsistencyToken({ partition: 0, eventsOffset: '7' });
    const response = await eventually(
      () => request(api.server).get(`/v1/monitors/${monitorId}`).set(bearer(seed.token)).set('x-consistency-token', token),
      (r) => r.status === 200 && r.headers['x-read-source'] === 'replica',
    );
    expect(response.body.name).toBe('after');
  });
});
