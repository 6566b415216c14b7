import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { Client } from 'pg';
import { AppConfig, ConfigModule, loadConfig } from '@vinsight/config';
import { API_POOL, DatabaseModule, REPLICA_POOL } from '@vinsight/database';
import {
  ConsumerGroupRegistry,
  HealthModule,
  LifecycleState,
  PRIMARY_POOL,
  ProjectionLagRegistry,
  trackConsumerGroup,
} from '@vinsight/health';
import { TopicAdmin, createKafkaClient, topicNames } from '@vinsight/kafka';
import { MetricsModule } from '@vinsight/observability';
import {
  DATABASE,
  PRIMARY,
  REPLICA,
  createClusters,
  dropClusters,
  readerUrl,
  startCluster,
  stopCluster,
  superuserQuery,
  superuserSql,
  superuserUrl,
} from './support/pg-test-clusters';
import { TEST_BROKER, removeTestBroker, startTestBroker, stopTestBroker } from './support/kafka-test-broker';
import { eventually } from './support/eventually';
import { parsePrometheusText, sumOf } from './support/prometheus-text';

/**
 * Issue 6's readiness scenarios on a Postgres primary + replica and a Kafka broker of this test's
 * own (see support/), through the real Nest + Fastify pipeline. The readiness bodies each
 * scenario produced are written to $TMPDIR/vinsight-readiness-scenarios.json.
 */
jest.setTimeout(180000);

const TOPIC = 'healthtest.events';
const CONSUMER_GROUP = 'healthtest.consumer';
const PROJECTOR_GROUP = 'healthtest.projector';
const MAX_LAG_SECONDS = 2;
const MAX_PROJECTION_LAG = 20;
const CACHE_TTL_MS = 500;
const REPORT = join(tmpdir(), 'vinsight-readiness-scenarios.json');

interface Probe {
  status: number;
  body: any;
}

describe('readiness under faults (own Postgres primary + replica, own Kafka broker)', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  let kafka: Kafka;
  let consumer: Consumer;
  let producer: Producer;
  let topicAdmin: TopicAdmin;
  const bodies: Record<string, Probe> = {};

  const probe = async (path: string): Promise<Probe> => {
    const response = await fetch(baseUrl + path);
    return { status: response.status, body: await response.json() };
  };
  const ready = () => probe('/health/ready');
  const record = (scenario: string, result: Probe) => {
    bodies[scenario] = result;
    writeFileSync(REPORT, JSON.stringify(bodies, null, 2));
    return result;
  };

  beforeAll(async () => {
    await Promise.all([createClusters(), startTestBroker()]);

    kafka = createKafkaClient({ brokers: [TEST_BROKER], clientId: 'healthtest' }, { logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    topicAdmin = new TopicAdmin(kafka, topicNames('healthtest.'));

    const config: AppConfig = loadConfig(['read-api'], {
      API_DATABASE_URL: readerUrl(PRIMARY.port),
      REPLICA_DATABASE_URL: readerUrl(REPLICA.port),
      KAFKA_BROKERS: TEST_BROKER,
      KAFKA_CLIENT_ID: 'healthtest',
      MIGRATE_ON_START: 'false',
      REPLICATION_LAG_MAX_SECONDS: String(MAX_LAG_SECONDS),
      HEALTH_CHECK_TIMEOUT_MS: '1000',
      DATABASE_POOL_MAX: '3',
      // This app lives in Jest's process, whose heap is the test runner's, not the service's.
      LIVENESS_HEAP_MAX_MB: '16384',
    });
    const lifecycle = new LifecycleState();
    lifecycle.migrationsApplied = true;

    @Module({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        MetricsModule.forRoot({
          service: 'healthtest',
          pools: [
            { name: 'api', token: API_POOL },
            { name: 'replica', token: REPLICA_POOL },
          ],
        }),
        HealthModule.forRoot({
          primaryPool: { provide: PRIMARY_POOL, useExisting: API_POOL },
          lifecycle,
          cacheTtlMs: CACHE_TTL_MS,
          checks: {
            replication: { pool: REPLICA_POOL },
            kafka: true,
            consumerGroups: true,
            projectionLag: { maxLagEvents: MAX_PROJECTION_LAG },
          },
        }),
      ],
    })
    class HealthTestModule {}

    app = await NestFactory.create<NestFastifyApplication>(HealthTestModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    baseUrl = baseUrl.replace('[::1]', '127.0.0.1');

    // A consumer as a role would run one, tracked by the registry readiness reads.
    consumer = kafka.consumer({ groupId: CONSUMER_GROUP, retry: { retries: 3 } });
    app.get(ConsumerGroupRegistry).register(trackConsumerGroup(consumer, CONSUMER_GROUP));
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });

    // A projection whose checkpoint is the committed offset of a group that reads nothing by
    // itself: the test moves it, as a projector's batches would.
    app.get(ProjectionLagRegistry).register({
      projection: 'healthtest',
      lag: async () =>
        (await topicAdmin.describeLag(PROJECTOR_GROUP, TOPIC)).map((p) => ({
          topic: TOPIC,
          partition: p.partition,
          checkpoint: p.committedOffset ?? p.logStartOffset,
          highWatermark: p.highWatermark,
          lag: p.lag,
        })),
    });
  });

  afterAll(async () => {
    // Never leave the replica paused or anything of ours running.
    await superuserSql(REPLICA.port, 'SELECT pg_wal_replay_resume()', 'postgres').catch(() => undefined);
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await topicAdmin?.disconnect().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await removeTestBroker();
    dropClusters();
  });

  it('all up: ready 200 with every check', async () => {
    const result = record('all up', await eventually('ready', ready, (r) => r.status === 200));
    expect(Object.keys(result.body.info).sort()).toEqual([
      'kafka',
      'kafka-consumers',
      'lifecycle',
      'postgres',
      'projection',
      'replication',
    ]);
    expect(result.body.info.replication).toMatchObject({ status: 'up', standby: true, receiving: true, lagBytes: 0 });
  });

  it('projector held far behind: 503 for projection lag, 200 once it caught up', async () => {
    await producer.send({ topic: TOPIC, messages: Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: 'x' })) });
    const behind = record('projection behind', await eventually('503', ready, (r) => r.status === 503));
    expect(Object.keys(behind.body.error)).toEqual(['projection']);
    expect(behind.body.error.projection.message).toMatch(/^healthtest: projection lag \d+ events is above the limit of 20/);

    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(TOPIC);
    await admin.setOffsets({
      groupId: PROJECTOR_GROUP,
      topic: TOPIC,
      partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
    });
    await admin.disconnect();
    record('projection caught up', await eventually('200', ready, (r) => r.status === 200));
  });

  it('replica replay paused with writes on the primary: 503 naming the replication lag and its value; resumed: 200', async () => {
    // A replayed transaction first, so the replica knows the age of its last one. Asked of the
    // replica itself: a readiness answer may be a cached one from before the insert.
    const [{ id: tick }] = await superuserQuery<{ id: string }>(PRIMARY.port, 'INSERT INTO ticks DEFAULT VALUES RETURNING id');
    await eventually(
      'tick replayed',
      () =>
        superuserQuery<{ replayed: boolean }>(REPLICA.port, `SELECT EXISTS (SELECT 1 FROM ticks WHERE id = ${Number(tick)}) AS replayed`),
      (rows) => rows[0].replayed,
    );
    await eventually('caught up', ready, (r) => r.status === 200 && r.body.info.replication.lagBytes === 0);
    await superuserSql(REPLICA.port, 'SELECT pg_wal_replay_pause()', 'postgres');
    try {
      const writer = setInterval(() => void superuserSql(PRIMARY.port, 'INSERT INTO ticks DEFAULT VALUES').catch(() => undefined), 200);
      let lagging: Probe;
      try {
        lagging = await eventually('replication 503', ready, (r) => r.status === 503 && r.body.error.replication !== undefined, 20000);
      } finally {
        clearInterval(writer);
      }
      record('replica replay paused', lagging);
      expect(Object.keys(lagging.body.error)).toEqual(['replication']);
      const replication = lagging.body.error.replication;
      expect(replication.lagSeconds).toBeGreaterThan(MAX_LAG_SECONDS);
      expect(replication.lagBytes).toBeGreaterThan(0);
      expect(replication.replayPaused).toBe(true);
      expect(replication.message).toContain(`replication lag ${replication.lagSeconds} s is above the limit of ${MAX_LAG_SECONDS} s`);
      const metrics = parsePrometheusText(await (await fetch(baseUrl + '/metrics')).text());
      expect(sumOf(metrics, 'vinsight_replication_lag_seconds')).toBeGreaterThan(MAX_LAG_SECONDS);
    } finally {
      await superuserSql(REPLICA.port, 'SELECT pg_wal_replay_resume()', 'postgres');
    }
    const resumed = record('replica replay resumed', await eventually('200', ready, (r) => r.status === 200));
    expect(resumed.body.info.replication).toMatchObject({ lagSeconds: 0, lagBytes: 0, replayPaused: false });
  });

  it('idle primary for a minute with a caught-up replica: lag stays near 0 while the raw replay age grows', async () => {
    const replicaSuperuser = new Client({ connectionString: superuserUrl(REPLICA.port, DATABASE) });
    await replicaSuperuser.connect();
    const rawAge = async () =>
      (await replicaSuperuser.query<{ age: number }>('SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS age'))
        .rows[0].age;
    const samples: { rawAgeSeconds: number; lagSeconds: number; lagBytes: number }[] = [];
    try {
      const started = Date.now();
      while (Date.now() - started < 60000) {
        const result = await ready();
        expect(result.status).toBe(200);
        samples.push({
          rawAgeSeconds: Math.round(await rawAge()),
          lagSeconds: result.body.info.replication.lagSeconds,
          lagBytes: result.body.info.replication.lagBytes,
        });
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    } finally {
      await replicaSuperuser.end();
    }
    record('idle primary, one minute', { status: 200, body: { samples } });
    expect(samples.every((s) => s.lagSeconds <= 1)).toBe(true);
    expect(samples[samples.length - 1].rawAgeSeconds).toBeGreaterThan(50);
  });

  it('replica stopped: the replication check is down while live stays 200; back when it returns', async () => {
    stopCluster(REPLICA.cluster);
    try {
      const down = record('replica stopped', await eventually('503', ready, (r) => r.status === 503));
      expect(Object.keys(down.body.error)).toEqual(['replication']);
      expect(down.body.error.replication.message).toMatch(/^replica unreachable: /);
      expect((await probe('/health/live')).status).toBe(200);
    } finally {
      startCluster(REPLICA.cluster);
    }
    record('replica restarted', await eventually('200', ready, (r) => r.status === 200));
  });

  it('replica paused before it replayed any transaction since its start: 503, the lag is unknown, not 0', async () => {
    // A checkpoint with nothing committed after it, replayed by the replica, so that the replica's
    // restart replays no commit record (its restartpoint is that checkpoint).
    await superuserSql(PRIMARY.port, 'CHECKPOINT', 'postgres');
    const [{ lsn }] = await superuserQuery<{ lsn: string }>(PRIMARY.port, 'SELECT pg_current_wal_lsn()::text AS lsn', 'postgres');
    await eventually(
      'checkpoint replayed',
      () => superuserQuery<{ done: boolean }>(REPLICA.port, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`, 'postgres'),
      (rows) => rows[0].done,
    );
    stopCluster(REPLICA.cluster);
    startCluster(REPLICA.cluster);
    await superuserSql(REPLICA.port, 'SELECT pg_wal_replay_pause()', 'postgres');
    try {
      const [{ at }] = await superuserQuery<{ at: Date | null }>(REPLICA.port, 'SELECT pg_last_xact_replay_timestamp() AS at', 'postgres');
      expect(at).toBeNull();
      await superuserSql(PRIMARY.port, 'INSERT INTO ticks DEFAULT VALUES');
      const unknown = record(
        'replica paused, nothing replayed since start',
        await eventually('replication 503', ready, (r) => r.status === 503 && r.body.error.replication !== undefined, 20000),
      );
      expect(unknown.body.error.replication).toMatchObject({ lagSeconds: null, replayPaused: true });
      expect(unknown.body.error.replication.message).toMatch(
        /^replication lag unknown with \d+ bytes of WAL not replayed; WAL replay is paused$/,
      );
    } finally {
      await superuserSql(REPLICA.port, 'SELECT pg_wal_replay_resume()', 'postgres');
    }
    record('replica resumed after start', await eventually('200', ready, (r) => r.status === 200));
  });

  it('broker stopped: ready 503 and live 200; recovers by itself when the broker returns', async () => {
    // Liveness judges the event loop since its previous probe. The app runs inside this test
    // process, whose synchronous pg_ctlcluster calls in the tests before stall that loop for
    // seconds on a loaded machine: a first probe closes that window, so the one asserted below
    // sees only the broker's outage.
    await probe('/health/live');
    await stopTestBroker();
    let down: Probe;
    try {
      down = record('broker stopped', await eventually('503', ready, (r) => r.status === 503 && r.body.error.kafka !== undefined));
      expect(down.body.error.kafka.message).toMatch(/^brokers unreachable: /);
      const live = await probe('/health/live');
      expect({ status: live.status, body: live.body }).toMatchObject({ status: 200 });
    } finally {
      await startTestBroker();
    }
    const back = record('broker restarted', await eventually('200', ready, (r) => r.status === 200, 90000));
    expect(back.body.info.kafka).toMatchObject({ status: 'up', brokers: 1 });
  });

  it('primary stopped: ready 503 and live 200; back when it returns', async () => {
    stopCluster(PRIMARY.cluster);
    try {
      const down = record(
        'primary stopped',
        await eventually('503', ready, (r) => r.status === 503 && r.body.error.postgres !== undefined),
      );
      expect(down.body.error.postgres.status).toBe('down');
      expect((await probe('/health/live')).status).toBe(200);
    } finally {
      startCluster(PRIMARY.cluster);
    }
    record('primary restarted', await eventually('200', ready, (r) => r.status === 200, 60000));
  });
});
