import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { createKafkaClient } from '@vinsight/kafka';
import { Admin, logLevel } from 'kafkajs';
import { errorMessage } from '../with-timeout';

export interface KafkaClusterDescription {
  clusterId: string;
  controller: number | null;
  brokers: number;
  /** The bootstrap broker that answered. */
  answeredBy: string;
}

/** The shortest time one broker is given when several share the probe's timeout. */
const MIN_ATTEMPT_MS = 500;

/**
 * Describes the Kafka cluster through an admin client of its own, without retries: a probe must
 * answer within its timeout, and KafkaJS's usual retries would pile up one request per probe
 * while a broker is down. The admin talks to one bootstrap broker at a time; when that one fails
 * the probe asks the next in KAFKA_BROKERS within the same call, so one dead broker of three
 * (the cluster still serving) does not turn readiness 503 whenever the probe happened to pick
 * it. Kafka is reported down only when no bootstrap broker answered. A failed admin is dropped,
 * and the probe stays on the broker that last answered.
 */
@Injectable()
export class KafkaBrokerProbe implements OnApplicationShutdown {
  private admin?: Admin;
  private connecting?: Promise<Admin>;
  private current = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async describe(): Promise<KafkaClusterDescription> {
    const brokers = this.config.kafka.brokers;
    const failures: string[] = [];
    for (let tried = 0; tried < brokers.length; tried++) {
      const broker = brokers[this.current];
      try {
        const admin = await this.connected(broker);
        const cluster = await admin.describeCluster();
        return { clusterId: cluster.clusterId, controller: cluster.controller, brokers: cluster.brokers.length, answeredBy: broker };
      } catch (error) {
        failures.push(`${broker}: ${errorMessage(error)}`);
        await this.reset();
        this.current = (this.current + 1) % brokers.length;
      }
    }
    throw new Error(failures.join('; '));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }

  private connected(broker: string): Promise<Admin> {
    this.connecting ??= this.connect(broker);
    return this.connecting;
  }

  private async connect(broker: string): Promise<Admin> {
    // Each broker gets its share of the probe's timeout, so the next one is still asked in time.
    const timeoutMs = Math.max(MIN_ATTEMPT_MS, Math.floor(this.config.health.checkTimeoutMs / this.config.kafka.brokers.length));
    const kafka = createKafkaClient(
      { ...this.config.kafka, brokers: [broker], clientId: `${this.config.kafka.clientId}-health` },
      // A broker outage is reported by readiness; KafkaJS's own error lines would repeat it per probe.
      { timeoutMs, retry: { retries: 0 }, logLevel: logLevel.NOTHING },
    );
    this.admin = kafka.admin({ retry: { retries: 0 } });
    await this.admin.connect();
    return this.admin;
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
