import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { AppMetrics } from '@vinsight/observability';
import { errorMessage, withTimeout } from '../with-timeout';
import { ProjectionLagRegistry } from './projection-lag.registry';
import { judgeProjectionLag, PartitionProjectionLag } from './projection-lag.source';

const DEFAULT_PROJECTION = 'read-models';

/** What one projection reported: its lag per partition and its parked events still waiting. */
interface ProjectionMeasure {
  readonly partitions: readonly PartitionProjectionLag[];
  readonly parked: number;
}

/**
 * Down when any partition of any registered projection is more than the limit behind, or when
 * a projection has parked events that no replay resolved: an event it could not apply is missing
 * from the read models, which must not look healthy.
 */
@Injectable()
export class ProjectionLagIndicator {
  /** One measurement at a time: readiness and the scrape of two gauges share it. */
  private measuring?: Promise<Map<string, ProjectionMeasure | Error>>;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: ProjectionLagRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: AppMetrics,
  ) {
    metrics?.refreshProjectionLagWith(() => this.measure().then(() => undefined));
  }

  private measure(): Promise<Map<string, ProjectionMeasure | Error>> {
    this.measuring ??= this.measureNow().finally(() => (this.measuring = undefined));
    return this.measuring;
  }

  /** Lag and parked events per registered projection (and the gauges set from them); an error per projection that did not answer in time. */
  private async measureNow(): Promise<Map<string, ProjectionMeasure | Error>> {
    const measured = new Map<string, ProjectionMeasure | Error>();
    await Promise.all(
      this.registry.all().map(async (source) => {
        const name = source.projection ?? DEFAULT_PROJECTION;
        try {
          const [partitions, parked] = await withTimeout(
            Promise.all([source.lag(), source.parkedWaiting?.() ?? Promise.resolve(0)]),
            this.config.health.checkTimeoutMs,
            `projection ${name}`,
          );
          this.metrics?.setProjectionLag(name, partitions);
          this.metrics?.setParkedEventsWaiting(name, parked);
          measured.set(name, { partitions, parked });
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
    for (const [name, measure] of await this.measure()) {
      if (measure instanceof Error) {
        projections[name] = { message: errorMessage(measure) };
        problems.push(`${name}: lag unknown (${errorMessage(measure)})`);
        continue;
      }
      const verdict = judgeProjectionLag(measure.partitions, maxLagEvents);
      projections[name] = { ...verdict.details, parkedEvents: measure.parked };
      if (!verdict.healthy) problems.push(`${name}: ${String(verdict.details.message)}`);
      if (measure.parked > 0)
        problems.push(`${name}: ${measure.parked} parked event(s) not resolved (replay them once the cause is fixed)`);
    }
    return problems.length === 0 ? indicator.up({ projections }) : indicator.down({ projections, message: problems.join('; ') });
  }
}
