import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { AppMetrics } from '@vinsight/observability';
import { errorMessage, withTimeout } from '../with-timeout';
import { PartitionProgressRegistry } from './partition-progress.registry';
import type { PartitionProgress } from './partition-progress.source';
import { GroupProgressVerdict, StuckPartition, StuckPartitionsWatch } from './stuck-partitions.watch';

/**
 * Records after what the consumer has processed. A consumer waiting at `idleAt` past its
 * committed offset has only transaction markers (or aborted records) before it: no input.
 */
export function consumerLag(progress: PartitionProgress): number {
  const processed = progress.idleAt !== undefined && progress.idleAt > progress.committed ? progress.idleAt : progress.committed;
  return Number(progress.end > processed ? progress.end - processed : 0n);
}

/** Stuck partitions listed in details (the longest stuck first), to keep the body short. */
const STUCK_SHOWN = 10;

/**
 * Down when a partition of a consumer group this process runs has input waiting and its
 * committed offset (or checkpoint) has not moved for READINESS_STUCK_PARTITION_SECONDS: a
 * partition that retries one transaction for ever holds every later message of it while the
 * group itself looks joined and healthy.
 */
@Injectable()
export class StuckPartitionsIndicator {
  private readonly watch: StuckPartitionsWatch;
  private measuring?: Promise<Map<string, GroupProgressVerdict | Error>>;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly registry: PartitionProgressRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: AppMetrics,
  ) {
    this.watch = new StuckPartitionsWatch(config.stuckPartitionSeconds * 1000);
    metrics?.refreshStuckPartitionsWith(() => this.measure().then(() => undefined));
  }

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    if (this.registry.all().length === 0) return indicator.down({ message: 'no consumer group registered' });
    const groups: Record<string, unknown> = {};
    const stuck: StuckPartition[] = [];
    const problems: string[] = [];
    for (const [group, verdict] of await this.measure()) {
      if (verdict instanceof Error) {
        groups[group] = { message: errorMessage(verdict) };
        problems.push(`${group}: progress unknown (${errorMessage(verdict)})`);
        continue;
      }
      groups[group] = { partitions: verdict.partitions, pending: verdict.pending, stuck: verdict.stuck.length };
      stuck.push(...verdict.stuck);
    }
    const stuckAfterSeconds = this.config.stuckPartitionSeconds;
    if (stuck.length > 0) {
      const named = stuck
        .slice(0, STUCK_SHOWN)
        .map((s) => `${s.group} ${s.topic}[${s.partition}] at ${s.committedOffset} of ${s.endOffset} for ${s.stuckForSeconds} s`);
      problems.unshift(`${stuck.length} partition(s) stuck with input waiting for ${stuckAfterSeconds} s or more: ${named.join(', ')}`);
    }
    return problems.length === 0
      ? indicator.up({ stuckAfterSeconds, groups })
      : indicator.down({ message: problems.join('; '), stuck: stuck.slice(0, STUCK_SHOWN), stuckAfterSeconds, groups });
  }

  /** One measurement at a time, shared by readiness and scrapes; sets the gauge per group. */
  private measure(): Promise<Map<string, GroupProgressVerdict | Error>> {
    this.measuring ??= this.measureAll().finally(() => (this.measuring = undefined));
    return this.measuring;
  }

  private async measureAll(): Promise<Map<string, GroupProgressVerdict | Error>> {
    const measured = new Map<string, GroupProgressVerdict | Error>();
    await Promise.all(
      this.registry.all().map(async (source) => {
        try {
          const partitions = await withTimeout(source.progress(), this.config.health.checkTimeoutMs, `partitions of ${source.group}`);
          const verdict = this.watch.observe(source, partitions, Date.now());
          this.metrics?.setStuckPartitions(source.group, verdict.stuck.length);
          this.metrics?.setConsumerLag(
            source.group,
            partitions.map((p) => ({ topic: p.topic, lag: consumerLag(p) })),
          );
          measured.set(source.group, verdict);
        } catch (error) {
          measured.set(source.group, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
    return measured;
  }
}
