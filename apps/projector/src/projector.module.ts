import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@vinsight/config';
import { PROJECTOR_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { ProjectorModule as ProjectionsModule } from '@vinsight/projections';
import { platformImports } from '@vinsight/runtime';

/** Readiness turns down while any partition is further behind than this (a cold start, a backlog). */
const MAX_PROJECTION_LAG_EVENTS = 10000;

@Module({})
export class ProjectorModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        ...platformImports({
          service: 'projector',
          config,
          lifecycle,
          primaryPool: PROJECTOR_POOL,
          checks: { kafka: true, consumerGroups: true, projectionLag: { maxLagEvents: MAX_PROJECTION_LAG_EVENTS }, stuckPartitions: true },
        }),
        ProjectionsModule.forRoot(config, lifecycle),
      ],
    };
  }
}
