import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ConfigModule, loadConfig } from '@vinsight/config';
import { DatabaseModule } from '@vinsight/database';
import { LoggingModule } from '@vinsight/observability';
import { ReadApiHttpModule, ReadApiSettings } from '@vinsight/read-api';
import { Clock, createHttpAdapter } from '@vinsight/runtime';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { testEnv } from '../test-env';

export const NOW = new Date('2026-01-15T12:00:00.000Z');

export class FixedClock implements Clock {
  constructor(public current: Date = NOW) {}
  now(): Date {
    return this.current;
  }
}

export interface ReadApiTestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  server: ReturnType<NestFastifyApplication['getHttpServer']>;
  close(): Promise<void>;
}

export interface StartOptions {
  replica?: boolean;
  settings?: Partial<ReadApiSettings>;
  clock?: Clock;
  env?: Record<string, string>;
}

/**
 * The read API as the composition roots build it (config, logging, pools, ReadApiHttpModule)
 * on Fastify, in process, against the real `vinsight_test` database.
 */
export async function startReadApi(options: StartOptions = {}): Promise<ReadApiTestApp> {
  const config = loadConfig(['read-api'], {
    API_DATABASE_URL: testEnv.apiUrl,
    ...(options.replica && { REPLICA_DATABASE_URL: testEnv.replicaUrl }),
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'silent',
    DATABASE_POOL_MAX: '4',
    // A topic prefix of its own, so checkpoints written by this test never meet the projector's.
    KAFKA_TOPIC_PREFIX: `ratest-${randomUUID().slice(0, 8)}.`,
    ...options.env,
  });

  @Module({
    imports: [
      ConfigModule.forRoot(config),
      LoggingModule.forRoot({ level: config.logLevel, service: 'read-api-test' }),
      DatabaseModule.forRoot(config),
      ReadApiHttpModule.forRoot({
        settings: { rateLimit: { requestsPerSecond: 0, burst: 1 }, ...options.settings },
        clock: options.clock ?? new FixedClock(),
      }),
    ],
  })
  class TestReadApiModule {}

  const app = await NestFactory.create<NestFastifyApplication>(TestReadApiModule, createHttpAdapter({ shuttingDown: false }), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, config, server: app.getHttpServer(), close: () => app.close() };
}

export function projectorPool(): Pool {
  return new Pool({ connectionString: testEnv.projectorUrl, max: 3, application_name: 'vinsight-test-read-api' });
}
