import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@vinsight/config';
import { PROJECTOR_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { ProjectorModule as ProjectionsModule } from '@vinsight/projections';
import { platformImports } from '@vinsight/runtime';

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
          checks: {
            kafka: true,
            consumerGroups: true,
            projectionLag: { maxLagEvents: config.health.projectionLagMaxEvents },
            stuckPartitions: true,
          },
        }),
        ProjectionsModule.forRoot(config, lifecycle),
      ],
    };
  }
}
