import type { Admin, AdminConfig, Kafka } from 'kafkajs';

/**
 * A KafkaJS admin client that is replaced after a failed call. After a broker died, KafkaJS's
 * admin kept the dead broker's connection and the metadata that named it as a leader, and went
 * on failing (topic offsets for readiness and projection lag, consumer-group offsets) after the
 * cluster had moved on. A fresh client bootstraps from KAFKA_BROKERS and reads current metadata;
 * it costs one connect, on paths that are not hot. Connected on first use.
 */
export class RenewingAdmin {
  private current?: { admin: Admin; connected: Promise<void> };
  /** Admin clients created so far (the first one included). */
  renewals = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly config?: AdminConfig,
  ) {}

  async use<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const current = this.connected();
    try {
      await current.connected;
      return await work(current.admin);
    } catch (error) {
      await this.drop(current);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    if (this.current) await this.drop(this.current);
  }

  private connected(): { admin: Admin; connected: Promise<void> } {
    if (!this.current) {
      const admin = this.kafka.admin(this.config);
      this.renewals++;
      this.current = { admin, connected: admin.connect() };
      // Awaited by every use; this only keeps an early failure from being reported as unhandled.
      this.current.connected.catch(() => undefined);
    }
    return this.current;
  }

  private async drop(client: { admin: Admin; connected: Promise<void> }): Promise<void> {
    // A concurrent call may have replaced it already.
    if (this.current === client) this.current = undefined;
    await client.admin.disconnect().catch(() => undefined);
  }
}
