import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { createKafkaClient } from '@vinsight/kafka';
import { Admin, logLevel } from 'kafkajs';

export interface KafkaClusterDescription {
  clusterId: string;
  controller: number | null;
  brokers: number;
}

/**
 * Describes the Kafka cluster through an admin client of its own, without retries: a probe must
 * answer within its timeout, and KafkaJS's usual retries would pile up one request per probe
 * while a broker is down. A failed admin is dropped and reconnected on the next call, so the
 * probe recovers when the broker returns.
 */
@Injectable()
export class KafkaBrokerProbe implements OnApplicationShutdown {
  private admin?: Admin;
  private connecting?: Promise<Admin>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async describe(): Promise<KafkaClusterDescription> {
    const admin = await this.connected();
    try {
      const cluster = await admin.describeCluster();
      return { clusterId: cluster.clusterId, controller: cluster.controller, brokers: cluster.brokers.length };
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }

  private connected(): Promise<Admin> {
    this.connecting ??= this.connect().catch(async (error: unknown) => {
      await this.reset();
      throw error;
    });
    return this.connecting;
  }

  private async connect(): Promise<Admin> {
    const timeoutMs = this.config.health.checkTimeoutMs;
    const kafka = createKafkaClient(
      { ...this.config.kafka, clientId: `${this.config.kafka.clientId}-health` },
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
