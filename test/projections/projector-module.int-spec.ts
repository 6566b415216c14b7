import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { ConfigModule, loadConfig } from '@vinsight/config';
import { DatabaseModule } from '@vinsight/database';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService, ProjectorModule, ProjectorService } from '@vinsight/projections';
import { generateWorkload, publishWorkload } from '../../scripts/bench-projector.workload';
import { testEnv } from '../test-env';
import { createTestTopics, deleteTestTopics, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

const END = new Date('2026-03-01T00:00:00.000Z');

/** What LifecycleState records, without loading the health module. */
class RecordingLifecycle {
  readonly pending = new Set<string>();
  readonly started = new Set<string>();
  expectStart(component: string) {
    this.pending.add(component);
  }
  markStarted(component: string) {
    this.pending.delete(component);
    this.started.add(component);
  }
}

describe('ProjectorModule in a Nest application', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;

  const boot = async (lifecycle: RecordingLifecycle): Promise<INestApplicationContext> => {
    const config = loadConfig(['projector'], {
      PROJECTOR_DATABASE_URL: db.projectorUrl,
      ...testEnv.personalDataEnvironment,
      MIGRATE_ON_START: 'false',
      KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: topics.events.slice(0, -'events'.length),
      KAFKA_PARTITIONS: '2',
      KAFKA_CLIENT_ID: `module-test-${db.name}`,
      LOG_LEVEL: 'silent',
    });
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        ProjectorModule.forRoot(config, lifecycle as never, { clock: { now: () => END }, retentionIntervalMs: 0 }),
      ],
    })
    class TestProjectorApp {}
    const app = await NestFactory.createApplicationContext(TestProjectorApp, { logger: false });
    app.enableShutdownHooks();
    await app.init();
    return app;
  };

  beforeAll(async () => {
    db = await createScratchDatabase('module');
    pool = db.projectorPool();
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'module', 2);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
  });

  afterAll(async () => {
    await lag?.close();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('starts its consumer on bootstrap, reports started, projects, and commits what it fetched when closed', async () => {
    const first = [
      ...generateWorkload({ tenants: 4, monitorsPerTenant: 2, checksPerMonitor: 400, end: END, seed: 3, namespace: 'moduleit' }),
    ];
    await publishWorkload(kafka, topics, first, { transactionalId: `module-1-${topics.events}`, perTransaction: 300 });

    const lifecycle = new RecordingLifecycle();
    const app = await boot(lifecycle);
    expect([...lifecycle.pending]).toEqual([]);
    expect([...lifecycle.started]).toEqual(['projector']);
    expect(app.get(ProjectorService).groupId).toBe(`module-test-${db.name}.projector`);
    expect(app.get(ProjectionLagService).projection).toBe('read-models');

    // close while it is still catching up: whatever it applied is whole (checks and rollups agree)
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.close();
    const partial = await pool.query<{ checks: number; rolled: number }>(
      `SELECT (SELECT count(*) FROM monitor_checks)::int AS checks, (SELECT coalesce(sum(total_checks), 0) FROM monitor_check_rollups_daily)::int AS rolled`,
    );
    expect(partial.rows[0].rolled).toBe(partial.rows[0].checks);

    const again = await boot(new RecordingLifecycle());
    try {
      await waitUntilCaughtUp(lag);
    } finally {
      await again.close();
    }
    const { rows } = await pool.query<{ checks: number; rolled: number; audit: number }>(
      `SELECT (SELECT count(*) FROM monitor_checks)::int AS checks, (SELECT sum(total_checks) FROM monitor_check_rollups_hourly)::int AS rolled,
              (SELECT count(*) FROM audit_events)::int AS audit`,
    );
    expect(rows[0]).toEqual({ checks: 3200, rolled: 3200, audit: first.filter((r) => r.role === 'events').length });
  });
});
