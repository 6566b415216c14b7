import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { AppMetrics } from '@vinsight/observability';
import { errorMessage, withTimeout } from '../with-timeout';
import { ProjectionLagRegistry } from './projection-lag.registry';
import { judgeProjectionLag } from './projection-lag.source';

const DEFAULT_PROJECTION = 'read-models';

/** Down when any partition of any registered projection is more than the limit behind. */
@Injectable()
export class ProjectionLagIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ProjectionLagRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: AppMetrics,
  ) {}

  async check(key: string, maxLagEvents: number): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const sources = this.registry.all();
    if (sources.length === 0) return indicator.down({ message: 'no projection registered' });
    const projections: Record<string, unknown> = {};
    const problems: string[] = [];
    await Promise.all(
      sources.map(async (source) => {
        const name = source.projection ?? DEFAULT_PROJECTION;
        try {
          const partitions = await withTimeout(source.lag(), this.config.health.checkTimeoutMs, `projection ${name}`);
          this.metrics?.setProjectionLag(name, partitions);
          const verdict = judgeProjectionLag(partitions, maxLagEvents);
          projections[name] = verdict.details;
          if (!verdict.healthy) problems.push(`${name}: ${String(verdict.details.message)}`);
        } catch (error) {
          projections[name] = { message: errorMessage(error) };
          problems.push(`${name}: lag unknown (${errorMessage(error)})`);
        }
      }),
    );
    return problems.length === 0
      ? indicator.up({ projections })
      : indicator.down({ projections, message: problems.join('; ') });
  }
}
