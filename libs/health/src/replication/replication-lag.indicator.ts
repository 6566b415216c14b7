import { Inject, Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { AppMetrics } from '@vinsight/observability';
import type { InjectionToken } from '@nestjs/common';
import { errorMessage, withTimeout } from '../with-timeout';
import { PRIMARY_WAL_BEHIND_SQL, Queryable, measureReplicationLag } from './replication-lag.query';
import { judgeReplicationLag } from './replication-lag.verdict';

/**
 * Readiness of the replica this role reads from: down when its lag in seconds or bytes is above
 * the configured limits, or when it cannot be asked. No replica configured is up.
 */
@Injectable()
export class ReplicationLagIndicator {
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
      const lag = await withTimeout(measureReplicationLag(replica), deadline - Date.now(), 'replica');
      if (primary && lag.inRecovery && lag.replayLsn !== null) {
        // The primary being down is the postgres check's finding, not the replica's.
        const left = Math.max(deadline - Date.now(), 1);
        lag.bytesBehindPrimary = await withTimeout(walBehindPrimary(primary, lag.replayLsn), left, 'primary').catch(() => undefined);
      }
      const verdict = judgeReplicationLag(lag, this.config.replication);
      this.metrics?.setReplicationLag(lag.seconds, verdict.details.lagBytes as number);
      return verdict.healthy ? indicator.up(verdict.details) : indicator.down(verdict.details);
    } catch (error) {
      return indicator.down({ message: `replica unreachable: ${errorMessage(error)}` });
    }
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
