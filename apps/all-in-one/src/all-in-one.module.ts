import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@vinsight/config';
import { PROJECTOR_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { platformImports } from '@vinsight/runtime';

/** Every role in one process for local use: one HTTP port, one health endpoint. */
@Module({})
export class AllInOneModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState): DynamicModule {
    return {
      module: AllInOneModule,
      imports: [...platformImports({ service: 'all-in-one', config, lifecycle, primaryPool: PROJECTOR_POOL })],
    };
  }
}
