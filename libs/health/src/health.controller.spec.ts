import { NestFastifyApplication, FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ConfigModule, loadConfig } from '@vinsight/config';
import request from 'supertest';
import { HealthModule } from './health.module';
import { ReadinessChecksOptions } from './health.options';
import { ConsumerGroupRegistry } from './kafka/consumer-group.registry';
import { ConsumerGroupStatus } from './kafka/consumer-group.status';
import { KafkaBrokerProbe } from './kafka/kafka-broker.probe';
import { LifecycleState } from './lifecycle.state';
import { PartitionProgressRegistry } from './partitions/partition-progress.registry';
import { ProjectionLagRegistry } from './projection/projection-lag.registry';
import { PartitionProjectionLag } from './projection/projection-lag.source';
import { PRIMARY_POOL } from './tokens';

const REPLICA = Symbol('TEST_REPLICA');
const ABSENT_REPLICA = Symbol('ABSENT_REPLICA');

/** A pool stand-in: answers `SELECT 1` and the lag query with the given row, counting calls. */
class FakePool {
  queries = 0;
  failure?: Error;
  schemaRows: Record<string, unknown>[] = [];
  constructor(public lagRow: Record<string, unknown> = {}) {}
  async query(sql: string) {
    this.queries++;
    if (this.failure) throw this.failure;
    if (sql.includes('schema_migrations')) return { rows: this.schemaRows };
    if (sql.includes('pg_current_wal_lsn')) return { rows: [{ bytes: 0 }] };
    return { rows: [sql.includes('pg_is_in_recovery') ? this.lagRow : { '?column?': 1 }] };
  }
}

const caughtUp = {
  in_recovery: true,
  receiving: true,
  replay_paused: false,
  receive_lsn: '0/100',
  replay_lsn: '0/100',
  bytes: 0,
  seconds: 0,
};

async function healthApp(
  checks: ReadinessChecksOptions,
  pools: { primary: FakePool; replica?: FakePool },
  broker?: Partial<KafkaBrokerProbe>,
  env: Record<string, string> = {},
) {
  const config = loadConfig(['read-api'], {
    API_DATABASE_URL: 'postgres://u@127.0.0.1:1/x',
    MIGRATE_ON_START: 'false',
    REPLICATION_LAG_MAX_SECONDS: '5',
    HEALTH_CHECK_TIMEOUT_MS: '300',
    ...env,
  });
  const lifecycle = new LifecycleState();
  lifecycle.migrationsApplied = true;
  const builder = Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      HealthModule.forRoot({
        primaryPool: { provide: PRIMARY_POOL, useValue: pools.primary },
        lifecycle,
        checks,
        cacheTtlMs: 1000,
        imports: [],
      }),
    ],
    providers: pools.replica ? [{ provide: REPLICA, useValue: pools.replica }] : [],
  });
  if (broker) builder.overrideProvider(KafkaBrokerProbe).useValue(broker);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, lifecycle, http: () => request(app.getHttpServer()) };
}

describe('HealthController (Nest + Fastify)', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('is ready with the primary up and reports the check in terminus format', async () => {
    const { app, http } = await healthApp({}, { primary: new FakePool() });
    close = () => app.close();
    const response = await http().get('/health/ready').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: { lifecycle: { status: 'up' }, postgres: { status: 'up' } },
      error: {},
    });
  });

  it('turns 503 at once when draining, although the other results are cached', async () => {
    const primary = new FakePool();
    const { app, http, lifecycle } = await healthApp({}, { primary });
    close = () => app.close();
    await http().get('/health/ready').expect(200);
    lifecycle.shuttingDown = true;
    const response = await http().get('/health/ready').expect(503);
    expect(response.body.error).toEqual({ lifecycle: { status: 'down', message: 'shutting down' } });
    expect(primary.queries).toBe(1);
  });

  it('asks the database once per second however many probes arrive', async () => {
    const primary = new FakePool();
    const replica = new FakePool(caughtUp);
    const { app, http } = await healthApp({ replication: { pool: REPLICA } }, { primary, replica });
    close = () => app.close();
    await Promise.all(Array.from({ length: 20 }, () => http().get('/health/ready').expect(200)));
    // SELECT 1 plus the primary side of the lag measurement; the replica once.
    expect(primary.queries).toBe(2);
    expect(replica.queries).toBe(1);
  });

  it('is 503 naming the replication lag and its value when the replica lags', async () => {
    const replica = new FakePool({ ...caughtUp, seconds: 42.5, bytes: 4096, replay_paused: true });
    const { app, http } = await healthApp({ replication: { pool: REPLICA } }, { primary: new FakePool(), replica });
    close = () => app.close();
    const response = await http().get('/health/ready').expect(503);
    expect(response.body.error.replication).toMatchObject({
      status: 'down',
      lagSeconds: 42.5,
      lagBytes: 4096,
      maxLagSeconds: 5,
      message: 'replication lag 42.5 s is above the limit of 5 s; WAL replay is paused',
    });
  });

  it('counts a role without a configured replica as up', async () => {
    const { app, http } = await healthApp({ replication: { pool: ABSENT_REPLICA } }, { primary: new FakePool() });
    close = () => app.close();
    const response = await http().get('/health/ready').expect(200);
    expect(response.body.info.replication).toEqual({ status: 'up', configured: false, message: 'no replica configured' });
  });

  it('reports an unreachable replica and primary as down while liveness stays up', async () => {
    const primary = new FakePool();
    primary.failure = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const replica = new FakePool(caughtUp);
    replica.failure = new Error('connect ECONNREFUSED 127.0.0.1:2');
    const { app, http } = await healthApp({ replication: { pool: REPLICA } }, { primary, replica });
    close = () => app.close();
    const ready = await http().get('/health/ready').expect(503);
    expect(ready.body.error).toEqual({
      postgres: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:1' },
      replication: { status: 'down', message: 'replica unreachable: connect ECONNREFUSED 127.0.0.1:2' },
    });
    await http().get('/health/live').expect(200);
  });

  it('is down when the broker does not answer within the timeout', async () => {
    const hanging = { describe: () => new Promise<never>(() => undefined) };
    const { app, http } = await healthApp({ kafka: true }, { primary: new FakePool() }, hanging);
    close = () => app.close();
    const response = await http().get('/health/ready').expect(503);
    expect(response.body.error.kafka).toMatchObject({ status: 'down', message: 'brokers unreachable: kafka: no answer within 300 ms' });
  });

  it('checks the registered consumer groups and projections', async () => {
    const { app, http } = await healthApp({ consumerGroups: true, projectionLag: { maxLagEvents: 100 } }, { primary: new FakePool() });
    close = () => app.close();
    const nobody = await http().get('/health/ready').expect(503);
    expect(nobody.body.error['kafka-consumers'].message).toBe('no consumer group registered');
    expect(nobody.body.error.projection.message).toBe('no projection registered');

    let group: ConsumerGroupStatus = { groupId: 'cp', state: 'starting', assignment: {}, since: Date.now() };
    app.get(ConsumerGroupRegistry).register({ consumerGroupStatus: () => group });
    let lag: PartitionProjectionLag[] = [{ topic: 'e', partition: 0, checkpoint: 0, highWatermark: 500, lag: 500 }];
    app.get(ProjectionLagRegistry).register({ projection: 'read-models', lag: async () => lag });

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const behind = await http().get('/health/ready').expect(503);
    expect(behind.body.error['kafka-consumers'].message).toBe('consumer group not joined: cp is starting');
    expect(behind.body.error.projection.message).toBe('read-models: projection lag 500 events is above the limit of 100 on 1 partition(s)');

    group = { ...group, state: 'joined', assignment: { c: [0, 1] } };
    lag = [{ ...lag[0], checkpoint: 450, lag: 50 }];
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.info['kafka-consumers'].groups.cp).toMatchObject({ state: 'joined', assignedPartitions: 2 });
    expect(ready.body.info.projection.projections['read-models']).toMatchObject({ maxPartitionLag: 50 });

    // Joined as far as the consumer knows, but silent past its session: evicted, and the message says so.
    group = { ...group, lastHeartbeat: Date.now() - 7000, sessionTimeoutMs: 6000 };
    const evicted = await http().get('/health/ready').expect(503);
    expect(evicted.body.error['kafka-consumers'].message).toMatch(
      /^consumer group not joined: cp is joined \(no heartbeat for \d+ ms \(session timeout 6000 ms\)\)$/,
    );
  });

  it('names a partition with input waiting whose committed offset stood still past the limit, and only that one', async () => {
    const { app, http } = await healthApp({ stuckPartitions: true }, { primary: new FakePool() }, undefined, {
      READINESS_STUCK_PARTITION_SECONDS: '1',
    });
    close = () => app.close();
    expect((await http().get('/health/ready').expect(503)).body.error.partitions.message).toBe('no consumer group registered');

    let moving = 10n;
    const progress = () => [
      { topic: 'c', partition: 0, committed: 41n, end: 57n },
      { topic: 'c', partition: 1, committed: (moving += 5n), end: moving + 100n },
      { topic: 'c', partition: 2, committed: 7n, end: 8n, idleAt: 8n },
    ];
    app.get(PartitionProgressRegistry).register({ group: 'cp', progress: async () => progress() });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const first = await http().get('/health/ready').expect(200);
    expect(first.body.info.partitions).toEqual({
      status: 'up',
      stuckAfterSeconds: 1,
      groups: { cp: { partitions: 3, pending: 2, stuck: 0 } },
    });

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stuck = await http().get('/health/ready').expect(503);
    expect(stuck.body.error.partitions).toMatchObject({
      status: 'down',
      stuck: [{ group: 'cp', topic: 'c', partition: 0, committedOffset: '41', endOffset: '57', stuckForSeconds: 1 }],
      groups: { cp: { partitions: 3, pending: 2, stuck: 1 } },
      message: '1 partition(s) stuck with input waiting for 1 s or more: cp c[0] at 41 of 57 for 1 s',
    });
  });

  it('reports startup from the lifecycle', async () => {
    const { app, http, lifecycle } = await healthApp({}, { primary: new FakePool() });
    close = () => app.close();
    lifecycle.expectStart('consumer');
    expect((await http().get('/health/startup').expect(503)).body.error.components.pending).toEqual(['consumer']);
    lifecycle.markStarted('consumer');
    await http().get('/health/startup').expect(200);
  });

  it('holds startup until the schema is at the version the build expects, then stops asking', async () => {
    const primary = new FakePool();
    const { app, http, lifecycle } = await healthApp({}, { primary });
    close = () => app.close();
    lifecycle.expectedSchemaVersion = 23;
    expect((await http().get('/health/startup').expect(503)).body.error.migrations).toMatchObject({
      status: 'down',
      expectedVersion: 23,
      version: null,
    });
    primary.schemaRows = [{ version: '22', dirty: false }];
    expect((await http().get('/health/startup').expect(503)).body.error.migrations.message).toMatch(/version 22, this build needs 23/);
    primary.schemaRows = [{ version: '23', dirty: true }];
    expect((await http().get('/health/startup').expect(503)).body.error.migrations).toMatchObject({ dirty: true });
    primary.failure = new Error('permission denied for table schema_migrations');
    expect((await http().get('/health/startup').expect(503)).body.error.migrations.message).toBe(
      'permission denied for table schema_migrations',
    );
    primary.failure = undefined;
    primary.schemaRows = [{ version: '23', dirty: false }];
    expect((await http().get('/health/startup').expect(200)).body.info.migrations).toEqual({
      status: 'up',
      expectedVersion: 23,
      version: 23,
      dirty: false,
    });
    const asked = primary.queries;
    await http().get('/health/startup').expect(200);
    expect(primary.queries).toBe(asked);
  });
});
