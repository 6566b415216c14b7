import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { errorMessage, withTimeout } from '../with-timeout';
import { KafkaBrokerProbe } from './kafka-broker.probe';

/** Kafka is up when a broker describes the cluster within HEALTH_CHECK_TIMEOUT_MS. */
@Injectable()
export class KafkaBrokerIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly probe: KafkaBrokerProbe,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const started = Date.now();
    try {
      const cluster = await withTimeout(this.probe.describe(), this.config.health.checkTimeoutMs, 'kafka');
      return indicator.up({ ...cluster, responseTimeMs: Date.now() - started });
    } catch (error) {
      return indicator.down({ message: `brokers unreachable: ${errorMessage(error)}`, brokers: this.config.kafka.brokers });
    }
  }
}
