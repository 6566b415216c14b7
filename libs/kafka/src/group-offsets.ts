import type { Admin, Kafka } from 'kafkajs';

/** One partition of a consumer group's input topic: where the group stands and where the log ends. */
export interface GroupPartitionOffsets {
  partition: number;
  /** The group's committed offset; the log start when it never committed (or retention passed it). */
  committed: bigint;
  /** High watermark. */
  end: bigint;
}

/**
 * Reads a consumer group's committed offsets and its topic's ends with two admin requests, for
 * readiness (which asks about once a second). One admin connection, opened on first use and
 * dropped after a failure so the next call reconnects.
 */
export class GroupOffsetsReader {
  private admin?: Admin;
  private connecting?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topic: string,
  ) {}

  async read(): Promise<GroupPartitionOffsets[]> {
    const admin = await this.connected();
    try {
      const [[committed], ends] = await Promise.all([
        admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
        admin.fetchTopicOffsets(this.topic),
      ]);
      const committedOf = new Map(committed.partitions.map((p) => [p.partition, BigInt(p.offset)]));
      return ends
        .map(({ partition, low, high }) => {
          const start = BigInt(low);
          const offset = committedOf.get(partition) ?? -1n;
          return { partition, committed: offset > start ? offset : start, end: BigInt(high) };
        })
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connecting = undefined;
    if (admin) await admin.disconnect().catch(() => undefined);
  }

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 100 } });
      this.admin = admin;
      this.connecting = admin.connect().catch(async (error: unknown) => {
        await this.close();
        throw error;
      });
    }
    const admin = this.admin;
    await this.connecting;
    return admin;
  }
}
