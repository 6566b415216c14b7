import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppMetrics, PoolCounts } from './app-metrics';
import { METRICS_OPTIONS, MetricsModuleOptions } from './metrics.options';

/**
 * Finds the pools named in the options by their injection tokens and reports their gauges. A
 * token this role does not provide (no replica configured, say) is skipped, not an error.
 */
@Injectable()
export class PoolMetricsRegistrar implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly metrics: AppMetrics,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsModuleOptions,
  ) {}

  onModuleInit(): void {
    for (const { name, token } of this.options.pools ?? []) {
      let pool: PoolCounts | undefined;
      try {
        pool = this.moduleRef.get<PoolCounts>(token, { strict: false });
      } catch {
        continue;
      }
      if (pool) this.metrics.trackPool(name, pool);
    }
  }
}
