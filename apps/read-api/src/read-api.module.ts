import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '@vinsight/config';
import { API_POOL, REPLICA_POOL } from '@vinsight/database';
import { LifecycleState } from '@vinsight/health';
import { ReadApiHttpModule, readApiSettings } from '@vinsight/read-api';
import { platformImports } from '@vinsight/runtime';

@Module({})
export class ReadApiModule {
  static forRoot(config: AppConfig, lifecycle: LifecycleState): DynamicModule {
    return {
      module: ReadApiModule,
      imports: [
        ...platformImports({
          service: 'read-api',
          config,
          lifecycle,
          primaryPool: API_POOL,
          checks: { replication: { pool: REPLICA_POOL } },
        }),
        ReadApiHttpModule.forRoot({ settings: readApiSettings(config.readApi) }),
      ],
    };
  }
}
