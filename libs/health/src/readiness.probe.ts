import { Inject, Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { AppMetrics } from '@vinsight/observability';
import type { Pool } from 'pg';
import { DEFAULT_READINESS_CACHE_TTL_MS, DEFAULT_REBALANCE_GRACE_MS, HEALTH_OPTIONS, HealthModuleOptions } from './health.options';
import { ConsumerGroupIndicator } from './kafka/consumer-group.indicator';
import { KafkaBrokerIndicator } from './kafka/kafka-broker.indicator';
import { LifecycleState } from './lifecycle.state';
import { PostgresIndicator } from './postgres.indicator';
import { ProjectionLagIndicator } from './projection/projection-lag.indicator';
import { StuckPartitionsIndicator } from './partitions/stuck-partitions.indicator';
import { ReadinessCache } from './readiness.cache';
import { ReplicationLagIndicator } from './replication/replication-lag.indicator';
import { PRIMARY_POOL } from './tokens';

/** Keys of the readiness body, one per check. */
export const READINESS_KEYS = {
  lifecycle: 'lifecycle',
  postgres: 'postgres',
  replication: 'replication',
  kafka: 'kafka',
  consumerGroups: 'kafka-consumers',
  projectionLag: 'projection',
  stuckPartitions: 'partitions',
} as const;

type ReadinessCheck = () => Promise<HealthIndicatorResult> | HealthIndicatorResult;

/**
 * The readiness checks this role was configured with. Checks that ask the database or the broker
 * are cached for about a second; the lifecycle check is not, so draining shows at once.
 */
@Injectable()
export class ReadinessProbe {
  private readonly cache: ReadinessCache;

  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: HealthModuleOptions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRIMARY_POOL) private readonly primary: Pool,
    private readonly indicators: HealthIndicatorService,
    private readonly lifecycle: LifecycleState,
    private readonly postgres: PostgresIndicator,
    private readonly replication: ReplicationLagIndicator,
    private readonly kafka: KafkaBrokerIndicator,
    private readonly consumerGroups: ConsumerGroupIndicator,
    private readonly projectionLag: ProjectionLagIndicator,
    private readonly stuckPartitions: StuckPartitionsIndicator,
    @Optional() private readonly metrics?: AppMetrics,
  ) {
    this.cache = new ReadinessCache(options.cacheTtlMs ?? DEFAULT_READINESS_CACHE_TTL_MS);
  }

  checks(): HealthIndicatorFunction[] {
    const checks = this.options.checks ?? {};
    const keys = READINESS_KEYS;
    const timeoutMs = this.config.health.checkTimeoutMs;
    const list: ReadinessCheck[] = [
      () => this.draining(),
      () => this.cached(keys.postgres, () => this.postgres.ping(keys.postgres, this.primary, timeoutMs)),
    ];
    const replication = checks.replication;
    if (replication) {
      list.push(() => this.cached(keys.replication, () => this.replication.check(keys.replication, replication.pool, this.primary)));
    }
    if (checks.kafka) {
      list.push(() => this.cached(keys.kafka, () => this.kafka.check(keys.kafka)));
    }
    if (checks.consumerGroups) {
      const grace = (typeof checks.consumerGroups === 'object' && checks.consumerGroups.rebalanceGraceMs) || DEFAULT_REBALANCE_GRACE_MS;
      // In-memory state: nothing to cache.
      list.push(() => this.consumerGroups.check(keys.consumerGroups, grace));
    }
    const projectionLag = checks.projectionLag;
    if (projectionLag) {
      list.push(() => this.cached(keys.projectionLag, () => this.projectionLag.check(keys.projectionLag, projectionLag.maxLagEvents)));
    }
    if (checks.stuckPartitions) {
      list.push(() => this.cached(keys.stuckPartitions, () => this.stuckPartitions.check(keys.stuckPartitions)));
    }
    return list.map((check) => this.recorded(check));
  }

  /** Each check's verdict also goes to `vinsight_readiness_check{check}`, which the alerts watch. */
  private recorded(check: ReadinessCheck): ReadinessCheck {
    const metrics = this.metrics;
    if (!metrics) return check;
    return async () => {
      const result = await check();
      for (const [key, value] of Object.entries(result)) metrics.setReadinessCheck(key, (value as { status?: string }).status === 'up');
      return result;
    };
  }

  private cached(key: string, run: () => Promise<HealthIndicatorResult>): Promise<HealthIndicatorResult> {
    return this.cache.get(key, run);
  }

  private draining(): HealthIndicatorResult {
    const indicator = this.indicators.check(READINESS_KEYS.lifecycle);
    return this.lifecycle.shuttingDown ? indicator.down({ message: 'shutting down' }) : indicator.up();
  }
}
