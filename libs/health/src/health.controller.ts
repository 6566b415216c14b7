import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { LifecycleState } from './lifecycle.state';
import { LivenessIndicator } from './liveness.indicator';
import { ReadinessProbe } from './readiness.probe';
import { SchemaVersionIndicator } from './schema/schema-version.indicator';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly liveness: LivenessIndicator,
    private readonly readiness: ReadinessProbe,
    private readonly lifecycle: LifecycleState,
    private readonly schemaVersion: SchemaVersionIndicator,
  ) {}

  /** The process itself only: restarting a pod never fixes a database or broker outage. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.liveness.process()]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(this.readiness.checks());
  }

  @Get('startup')
  @HealthCheck()
  startup() {
    return this.health.check([
      () => this.schemaVersion.check('migrations'),
      () => {
        const indicator = this.indicators.check('components');
        const pending = this.lifecycle.pending();
        return pending.length === 0 ? indicator.up() : indicator.down({ message: 'not started yet', pending });
      },
    ]);
  }
}
