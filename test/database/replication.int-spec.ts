import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { testEnv } from '../test-env';
import { asTenant, eventually, inTransaction } from './db';
import { FIXED_TIME } from './fixtures';
import { ReplicationLag, measureReplicationLag } from '@vinsight/health';

/** The replica's superuser connection, needed only to pause and resume WAL replay. */
function replicaSuperuserUrl(): string {
  const url = new URL(testEnv.superuserUrl);
  url.port = new URL(testEnv.replicaUrl).port;
  return url.toString();
}

async function insertTenant(pool: Pool, tenantId: string): Promise<void> {
  await inTransaction(pool, (client) =>
    client.query(`INSERT INTO tenants (id, name, slug, version, created_at, updated_at) VALUES ($1, 'Replicated', $2, 1, $3, $3)`, [
      tenantId,
      `r-${tenantId.slice(0, 8)}`,
      FIXED_TIME,
    ]),
  );
}

async function visibleOnReplica(replica: Pool, tenantId: string): Promise<boolean> {
  const { rows } = await asTenant(replica, tenantId, (client) => client.query('SELECT id FROM tenants'));
  return rows.length === 1;
}

describe('streaming replica', () => {
  let primary: Pool;
  let replica: Pool;
  let replicaSuperuser: Pool;
  const written: string[] = [];

  beforeAll(async () => {
    primary = new Pool({ connectionString: testEnv.projectorUrl, max: 2 });
    replica = new Pool({ connectionString: testEnv.replicaUrl, max: 2 });
    replicaSuperuser = new Pool({ connectionString: replicaSuperuserUrl(), max: 1 });
    const lag = await measureReplicationLag(replica).catch((error: Error) => {
      throw new Error(`replica at ${testEnv.replicaUrl} unreachable (${error.message}); start it: deploy/local/postgres/replica-start.sh`);
    });
    if (!lag.inRecovery) throw new Error(`${testEnv.replicaUrl} is not a standby`);
  });

  afterAll(async () => {
    // Never leave the shared replica paused, whatever happened above.
    await replicaSuperuser.query('SELECT pg_wal_replay_resume()').catch(() => undefined);
    await primary.query('DELETE FROM tenants WHERE id = ANY($1::uuid[])', [written]);
    await Promise.all([primary.end(), replica.end(), replicaSuperuser.end()]);
  });

  it('shows a row written on the primary, under the same row level security', async () => {
    const tenantId = randomUUID();
    written.push(tenantId);
    await insertTenant(primary, tenantId);

    await eventually(
      () => visibleOnReplica(replica, tenantId),
      (visible) => visible,
    );
    const withoutTenant = await asTenant(replica, null, (client) => client.query('SELECT id FROM tenants'));
    expect(withoutTenant.rows).toEqual([]);
  });

  it('reports growing lag in seconds and bytes while replay is paused, and none after it resumes', async () => {
    const measure = () => measureReplicationLag(replica, primary);
    const duringPause = randomUUID();
    const later = randomUUID();
    written.push(duringPause, later);

    let first: ReplicationLag;
    let second: ReplicationLag;
    await replicaSuperuser.query('SELECT pg_wal_replay_pause()');
    try {
      await insertTenant(primary, duringPause);
      first = await eventually(measure, (lag) => lag.replayPaused && lag.bytes > 0);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      await insertTenant(primary, later);
      second = await eventually(measure, (lag) => lag.bytes > first.bytes);
      expect(await visibleOnReplica(replica, duringPause)).toBe(false);
    } finally {
      await replicaSuperuser.query('SELECT pg_wal_replay_resume()');
    }

    expect(first.seconds).not.toBeNull();
    expect(second.seconds!).toBeGreaterThan(first.seconds! + 1);
    expect(second.bytes).toBeGreaterThan(first.bytes);
    expect(second.bytesBehindPrimary!).toBeGreaterThanOrEqual(second.bytes);

    const caughtUp = await eventually(measure, (lag) => lag.bytes === 0 && lag.seconds === 0);
    expect(caughtUp.replayPaused).toBe(false);
    expect(await visibleOnReplica(replica, duringPause)).toBe(true);
    expect(await visibleOnReplica(replica, later)).toBe(true);
  });

  it('measures no lag on a server that is not a standby', async () => {
    expect(await measureReplicationLag(primary)).toMatchObject({ inRecovery: false, seconds: 0, bytes: 0, replayPaused: false });
  });
});
