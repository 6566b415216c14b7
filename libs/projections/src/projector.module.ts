import { DynamicModule, Logger, Module } from '@nestjs/common';
import { AppConfig, personalDataKeysOf } from '@vinsight/config';
import { PROJECTOR_POOL } from '@vinsight/database';
import type { LifecycleState } from '@vinsight/health';
import { createKafkaClient, topicNames } from '@vinsight/kafka';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { CLOCK, Clock, nestKafkaLogger, systemClock } from '@vinsight/runtime';
import { ProjectionLagService } from './lag/projection-lag.service';
import { ParkedEventsService } from './parking/parked-events.service';
import { ProjectorOptions } from './projector.options';
import { ProjectorService } from './projector.service';
import { PROJECTIONS_KAFKA, PROJECTOR_LIFECYCLE, PROJECTOR_OPTIONS } from './projector.tokens';
import { RetentionService } from './retention/retention.service';

/**
 * The projector role: builds every read model from `events` and `check-events`. Imported by
 * apps/projector and apps/all-in-one next to the platform modules (it uses their PROJECTOR_POOL
 * and APP_CONFIG). Exports the projection lag (for readiness and metrics), the parked events and
 * retention (for operators).
 */
@Module({})
export class ProjectorModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState, options: ProjectorOptions = {}): DynamicModule {
    const clock = options.clock ?? systemClock;
    const topics = topicNames(config.kafka.topicPrefix);
    return {
      module: ProjectorModule,
      providers: [
        {
          provide: PROJECTIONS_KAFKA,
          useFactory: () => createKafkaClient(config.kafka, { logger: nestKafkaLogger(new Logger('KafkaJS')) }),
        },
        { provide: CLOCK, useValue: clock },
        { provide: PROJECTOR_OPTIONS, useValue: options },
        { provide: PROJECTOR_LIFECYCLE, useValue: lifecycle },
        {
          provide: ProjectionLagService,
          useFactory: (kafka: Kafka, pool: Pool) => new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]),
          inject: [PROJECTIONS_KAFKA, PROJECTOR_POOL],
        },
        {
          provide: ParkedEventsService,
          useFactory: (pool: Pool) => new ParkedEventsService(pool, personalDataKeysOf(config)),
          inject: [PROJECTOR_POOL],
        },
        { provide: RetentionService, useFactory: (pool: Pool, c: Clock) => new RetentionService(pool, c), inject: [PROJECTOR_POOL, CLOCK] },
        ProjectorService,
        { provide: LagServiceCloser, useFactory: (lag: ProjectionLagService) => new LagServiceCloser(lag), inject: [ProjectionLagService] },
      ],
      exports: [ProjectionLagService, ParkedEventsService, RetentionService, ProjectorService],
    };
  }
}

/** Closes the lag service's admin connection when the application shuts down. */
class LagServiceCloser {
  constructor(private readonly lag: ProjectionLagService) {}

  async onApplicationShutdown(): Promise<void> {
    await this.lag.close();
  }
}
