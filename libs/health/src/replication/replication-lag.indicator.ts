import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { AppMetrics } from '@vinsight/observability';
import type { InjectionToken } from '@nestjs/common';
import { errorMessage, withTimeout } from '../with-timeout';
import { FLUSH_PRIMARY_WAL_SQL, PRIMARY_WAL_BEHIND_SQL, Queryable, ReplicationLag, measureReplicationLag } from './replication-lag.query';
import { judgeReplicationLag, replayWaitsForPrimaryFlush } from './replication-lag.verdict';

/** How long a flushed primary is given to reach the standby before it is measured again. */
const AFTER_FLUSH_MS = 250;
/** At most one flush per this interval per process, however often readiness is asked. */
const FLUSH_INTERVAL_MS = 5000;

/**
 * Readiness of the replica this role reads from: down when its lag in seconds or bytes is above
 * the configured limits, or when it cannot be asked. No replica configured is up.
 */
@Injectable()
export class ReplicationLagIndicator {
  private lastFlushAt = 0;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: AppMetrics,
  ) {}

  /** `primary`, when given and reachable, also measures WAL the replica has not received. */
  async check(key: string, poolToken: InjectionToken, primary?: Queryable): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const replica = this.resolve(poolToken);
    if (!replica) return indicator.up({ configured: false, message: 'no replica configured' });
    try {
      const deadline = Date.now() + this.config.health.checkTimeoutMs;
      let lag = await this.measure(replica, primary, deadline);
      let primaryFlushed = false;
      if (primary && replayWaitsForPrimaryFlush(lag, this.config.replication) && Date.now() - this.lastFlushAt >= FLUSH_INTERVAL_MS) {
        // Asking an idle primary to flush is what lets the standby finish the record and replay.
        this.lastFlushAt = Date.now();
        primaryFlushed = await withTimeout(primary.query(FLUSH_PRIMARY_WAL_SQL), Math.max(deadline - Date.now(), 1), 'primary').then(
          () => true,
          () => false,
        );
        if (primaryFlushed && deadline - Date.now() > AFTER_FLUSH_MS) {
          await new Promise((resolve) => setTimeout(resolve, AFTER_FLUSH_MS));
          lag = await this.measure(replica, primary, deadline);
        }
      }
      const verdict = judgeReplicationLag(lag, this.config.replication);
      this.metrics?.setReplicationLag(lag.seconds, verdict.details.lagBytes as number);
      const details = primaryFlushed ? { ...verdict.details, primaryFlushed } : verdict.details;
      return verdict.healthy ? indicator.up(details) : indicator.down(details);
    } catch (error) {
      return indicator.down({ message: `replica unreachable: ${errorMessage(error)}` });
    }
  }

  private async measure(replica: Queryable, primary: Queryable | undefined, deadline: number): Promise<ReplicationLag> {
    const lag = await withTimeout(measureReplicationLag(replica), deadline - Date.now(), 'replica');
    if (primary && lag.inRecovery && lag.replayLsn !== null) {
      // The primary being down is the postgres check's finding, not the replica's.
      const left = Math.max(deadline - Date.now(), 1);
      lag.bytesBehindPrimary = await withTimeout(walBehindPrimary(primary, lag.replayLsn), left, 'primary').catch(() => undefined);
    }
    return lag;
  }

  private resolve(token: InjectionToken): Queryable | undefined {
    try {
      return this.moduleRef.get<Queryable>(token, { strict: false }) ?? undefined;
    } catch {
      return undefined;
    }
  }
}

async function walBehindPrimary(primary: Queryable, replayLsn: string): Promise<number> {
  const { rows } = await primary.query<{ bytes: number }>(PRIMARY_WAL_BEHIND_SQL, [replayLsn]);
  return rows[0].bytes;
}
