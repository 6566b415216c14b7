import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { REPLICA_POOL } from '@vinsight/database';
import type { Pool } from 'pg';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';
import { measureReplicationLag, ReplicationLag as ReplicaLag } from '@vinsight/health';

export type ReadTarget = 'primary' | 'replica';

/**
 * Decides where reads go: the replica while its measured lag is under both limits
 * (REPLICATION_LAG_MAX_SECONDS and _BYTES), otherwise the primary. The lag is measured in the
 * background, so a request never waits for it; a failed measurement sends reads to the primary
 * until a later one succeeds.
 */
@Injectable()
export class ReplicaRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaRouter');
  private healthy = false;
  private lastLag: ReplicaLag | null = null;
  private timer: NodeJS.Timeout | null = null;
  private measuring: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings,
    @Optional() @Inject(REPLICA_POOL) private readonly replica?: Pool,
  ) {}

  get hasReplica(): boolean {
    return this.replica !== undefined;
  }

  /** Where a request without a consistency token reads. */
  preferred(): ReadTarget {
    return this.healthy ? 'replica' : 'primary';
  }

  get lag(): ReplicaLag | null {
    return this.lastLag;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.replica) return;
    await this.measureNow();
    this.timer = setInterval(() => void this.measureNow(), this.settings.replicaLagPollMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Called when a query on the replica failed: stop using it until the next good measurement. */
  replicaFailed(error: unknown): void {
    if (this.healthy) this.logger.warn(`replica query failed, reading from the primary: ${(error as Error).message}`);
    this.healthy = false;
  }

  measureNow(): Promise<void> {
    this.measuring ??= this.measure().finally(() => {
      this.measuring = null;
    });
    return this.measuring;
  }

  private async measure(): Promise<void> {
    if (!this.replica) return;
    try {
      const lag = await measureReplicationLag(this.replica);
      const { maxLagSeconds, maxLagBytes } = this.config.replication;
      const healthy = lag.inRecovery && lag.seconds !== null && lag.seconds < maxLagSeconds && lag.bytes < maxLagBytes;
      if (healthy !== this.healthy) {
        this.logger.log(
          { lag },
          healthy ? 'replica lag under the limits: reading from the replica' : 'replica lagging: reading from the primary',
        );
      }
      this.lastLag = lag;
      this.healthy = healthy;
    } catch (error) {
      if (this.healthy) this.logger.warn(`replica lag measurement failed: ${(error as Error).message}`);
      this.healthy = false;
    }
  }
}
