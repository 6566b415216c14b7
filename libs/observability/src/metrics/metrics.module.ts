import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppMetrics } from './app-metrics';
import { HttpMetricsHook } from './http-metrics.hook';
import { MetricsController } from './metrics.controller';
import { METRICS_OPTIONS, MetricsModuleOptions } from './metrics.options';
import { PoolMetricsRegistrar } from './pool-metrics.registrar';

/**
 * `/metrics` plus the AppMetrics every role records into. Global, so any module can inject
 * AppMetrics without importing this one.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        { provide: METRICS_OPTIONS, useValue: options },
        { provide: AppMetrics, useFactory: () => new AppMetrics({ service: options.service, defaultMetrics: options.defaultMetrics }) },
        HttpMetricsHook,
        PoolMetricsRegistrar,
      ],
      exports: [AppMetrics],
    };
  }
}
