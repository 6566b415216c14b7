import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { AppMetrics } from '@vinsight/observability';
import { errorMessage, withTimeout } from '../with-timeout';
import { ProjectionLagRegistry } from './projection-lag.registry';
import { judgeProjectionLag, PartitionProjectionLag } from './projection-lag.source';

const DEFAULT_PROJECTION = 'read-models';

/** Down when any partition of any registered projection is more than the limit behind. */
@Injectable()
export class ProjectionLagIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ProjectionLagRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: AppMetrics,
  ) {
    metrics?.refreshProjectionLagWith(() => this.measure().then(() => undefined));
  }

  /** Lag per registered projection (and the gauge set from it); an error per projection that did not answer in time. */
  private async measure(): Promise<Map<string, readonly PartitionProjectionLag[] | Error>> {
    const measured = new Map<string, readonly PartitionProjectionLag[] | Error>();
    await Promise.all(
      this.registry.all().map(async (source) => {
        const name = source.projection ?? DEFAULT_PROJECTION;
        try {
          const partitions = await withTimeout(source.lag(), this.config.health.checkTimeoutMs, `projection ${name}`);
          this.metrics?.setProjectionLag(name, partitions);
          measured.set(name, partitions);
        } catch (error) {
          measured.set(name, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
    return measured;
  }

  async check(key: string, maxLagEvents: number): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    if (this.registry.all().length === 0) return indicator.down({ message: 'no projection registered' });
    const projections: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [name, partitions] of await this.measure()) {
      if (partitions instanceof Error) {
        projections[name] = { message: errorMessage(partitions) };
        problems.push(`${name}: lag unknown (${errorMessage(partitions)})`);
        continue;
      }
      const verdict = judgeProjectionLag(partitions, maxLagEvents);
      projections[name] = verdict.details;
      if (!verdict.healthy) problems.push(`${name}: ${String(verdict.details.message)}`);
    }
    return problems.length === 0
      ? indicator.up({ projections })
      : indicator.down({ projections, message: problems.join('; ') });
  }
}
