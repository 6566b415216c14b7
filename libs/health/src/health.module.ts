import { DynamicModule, Module, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { LifecycleState } from './lifecycle.state';
import { LivenessIndicator } from './liveness.indicator';
import { PostgresIndicator } from './postgres.indicator';

@Module({})
export class HealthModule {
  /** `primaryPool` provides the PRIMARY_POOL token (the role's own pool). */
  static forRoot(options: { primaryPool: Provider; lifecycle: LifecycleState }): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [HealthController],
      providers: [
        LivenessIndicator,
        PostgresIndicator,
        options.primaryPool,
        { provide: LifecycleState, useValue: options.lifecycle },
      ],
      exports: [LifecycleState],
    };
  }
}
