import type { InjectionToken, ModuleMetadata, Provider } from '@nestjs/common';
import { LifecycleState } from './lifecycle.state';

/** Which readiness checks this role runs, beyond its lifecycle and the primary's `SELECT 1`. */
export interface ReadinessChecksOptions {
  /**
   * Replication lag of the replica provided under `pool` (e.g. the database module's
   * REPLICA_POOL), against REPLICATION_LAG_MAX_SECONDS / _BYTES. A role whose replica is not
   * configured (no provider for the token) reports "no replica configured", which is up.
   */
  replication?: { pool: InjectionToken };
  /** Kafka brokers answer a cluster description within HEALTH_CHECK_TIMEOUT_MS. */
  kafka?: boolean;
  /** Every consumer group registered with ConsumerGroupRegistry has joined and holds its partitions. */
  consumerGroups?: { rebalanceGraceMs?: number } | boolean;
  /** Projection lag (events behind the high watermark) per partition at most `maxLagEvents`. */
  projectionLag?: { maxLagEvents: number };
  /**
   * No partition of a group registered with PartitionProgressRegistry has input waiting while its
   * committed offset stands still for READINESS_STUCK_PARTITION_SECONDS.
   */
  stuckPartitions?: boolean;
}

export interface HealthModuleOptions {
  /** Provides PRIMARY_POOL: the pool the role itself uses on the primary. */
  primaryPool: Provider;
  lifecycle: LifecycleState;
  checks?: ReadinessChecksOptions;
  /** How long readiness results are reused (default 1000 ms). */
  cacheTtlMs?: number;
  /** Modules whose exports the health module may inject (e.g. a PROJECTION_LAG_SOURCE). */
  imports?: ModuleMetadata['imports'];
}

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');
export const DEFAULT_READINESS_CACHE_TTL_MS = 1000;
export const DEFAULT_REBALANCE_GRACE_MS = 30000;
