import { monitorEventLoopDelay, IntervalHistogram } from 'node:perf_hooks';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';

/** Event-loop stalls longer than this, at the 99th percentile of the last window, fail liveness. */
const EVENT_LOOP_P99_LIMIT_MS = 2000;

/**
 * Liveness looks only at this process: its heap and its event loop. It never touches Postgres or
 * Kafka, because restarting a pod cannot fix a database outage and would only add a restart storm.
 */
@Injectable()
export class LivenessIndicator implements OnModuleDestroy {
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loopDelay.enable();
  }

  process() {
    const indicator = this.indicators.check('process');
    const heapUsed = process.memoryUsage().heapUsed;
    const loopP99Ms = Math.round(this.loopDelay.percentile(99) / 1e6);
    this.loopDelay.reset();
    const details = { heapUsedBytes: heapUsed, heapLimitBytes: this.config.health.heapMaxBytes, eventLoopDelayP99Ms: loopP99Ms };
    if (heapUsed > this.config.health.heapMaxBytes) return indicator.down({ ...details, message: 'heap above its limit' });
    if (loopP99Ms > EVENT_LOOP_P99_LIMIT_MS) return indicator.down({ ...details, message: 'event loop stalled' });
    return indicator.up(details);
  }

  onModuleDestroy() {
    this.loopDelay.disable();
  }
}
