import { DynamicModule, Module } from '@nestjs/common';
import { CommandProcessingModule } from '@vinsight/command-processing';
import { AppConfig } from '@vinsight/config';
import { PROJECTOR_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { platformImports } from '@vinsight/runtime';

@Module({})
export class CommandProcessorModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState): DynamicModule {
    return {
      module: CommandProcessorModule,
      imports: [
        ...platformImports({
          service: 'command-processor',
          config,
          lifecycle,
          primaryPool: PROJECTOR_POOL,
          checks: { kafka: true, consumerGroups: true, stuckPartitions: true },
        }),
        CommandProcessingModule.forRoot(config, lifecycle),
      ],
    };
  }
}
