import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { LifecycleState } from './lifecycle.state';
import { LivenessIndicator } from './liveness.indicator';
import { PostgresIndicator } from './postgres.indicator';
import { PRIMARY_POOL } from './tokens';
import type { Pool } from 'pg';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly liveness: LivenessIndicator,
    private readonly postgres: PostgresIndicator,
    private readonly lifecycle: LifecycleState,
    @Inject(PRIMARY_POOL) private readonly primary: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.liveness.process()]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.draining(),
      () => this.postgres.ping('postgres', this.primary, this.config.health.checkTimeoutMs),
    ]);
  }

  @Get('startup')
  @HealthCheck()
  startup() {
    return this.health.check([
      () => {
        const indicator = this.indicators.check('migrations');
        return this.lifecycle.migrationsApplied ? indicator.up() : indicator.down({ message: 'migrations not applied yet' });
      },
      () => {
        const indicator = this.indicators.check('components');
        const pending = this.lifecycle.pending();
        return pending.length === 0 ? indicator.up() : indicator.down({ message: 'not started yet', pending });
      },
    ]);
  }

  private draining() {
    const indicator = this.indicators.check('lifecycle');
    return this.lifecycle.shuttingDown ? indicator.down({ message: 'shutting down' }) : indicator.up();
  }
}
