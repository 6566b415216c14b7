import { DynamicModule, Module } from '@nestjs/common';
import { CommandProcessingModule } from '@vinsight/command-processing';
import { AppConfig } from '@vinsight/config';
import { PROJECTOR_POOL, REPLICA_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { ProjectorModule } from '@vinsight/projections';
import { ReadApiHttpModule, readApiSettings } from '@vinsight/read-api';
import { platformImports } from '@vinsight/runtime';

/** Every role in one process for local use: one HTTP port for the API, health and metrics. */
@Module({})
export class AllInOneModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState): DynamicModule {
    return {
      module: AllInOneModule,
      imports: [
        ...platformImports({
          service: 'all-in-one',
          config,
          lifecycle,
          primaryPool: PROJECTOR_POOL,
          checks: {
            kafka: true,
            consumerGroups: true,
            replication: { pool: REPLICA_POOL },
            projectionLag: { maxLagEvents: config.health.projectionLagMaxEvents },
            stuckPartitions: true,
          },
        }),
        CommandProcessingModule.forRoot(config, lifecycle),
        ProjectorModule.forRoot(config, lifecycle),
        ReadApiHttpModule.forRoot({ settings: readApiSettings(config.readApi) }),
      ],
    };
  }
}
