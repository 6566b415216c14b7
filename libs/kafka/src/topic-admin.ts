import { Admin, ITopicConfig, Kafka } from 'kafkajs';
import { RenewingAdmin } from './renewing-admin';
import { retryRetriable } from './retry-backoff';
import { waitForTopicLeaders } from './topic-leaders';
import { TopicNames, TopicRole } from './topic-names';
import { RETAIN_FOREVER, TOPIC_RETENTION_MS } from './topic-retention';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  /**
   * `min.insync.replicas` of the created topics; unset: the broker's default. With acks=all
   * (every producer of the service), a write needs this many replicas.
   */
  minInsyncReplicas?: number;
}

export interface EnsureTopicsResult {
  /** Topics this call created. */
  created: string[];
  /** Topics that were there already (left exactly as they were). */
  existing: string[];
}

export interface PartitionLag {
  partition: number;
  /** The group's committed offset: the next offset it will read; null when it never committed. */
  committedOffset: number | null;
  /** First offset still in the log (later than 0 once retention deleted segments). */
  logStartOffset: number;
  /** End of the log as a read_committed reader sees it (the last stable offset). */
  highWatermark: number;
  /** Messages the group has yet to read; from the log start when it never committed. */
  lag: number;
}

const NO_COMMITTED_OFFSET = '-1';

/**
 * Creates the service's topics and reports consumer-group lag. Holds one admin connection,
 * opened on first use and replaced after a failure (RenewingAdmin); call `disconnect()` on shutdown.
 */
export class TopicAdmin {
  private readonly admin: RenewingAdmin;

  constructor(
    kafka: Kafka,
    private readonly topics: TopicNames,
  ) {
    this.admin = new RenewingAdmin(kafka);
  }

  /**
   * Creates the topics of asyncapi.yaml, channels that do not exist yet, with their retention. Existing
   * topics are never altered: changing partitions would move tenants to other partitions and
   * break the one-writer-per-partition order. Safe to call concurrently from several instances.
   *
   * When several instances start on a fresh cluster at once, KafkaJS's createTopics refreshes its
   * metadata right after a topic another instance just created, and a broker whose metadata image
   * lacks it yet answers UNKNOWN_TOPIC_OR_PARTITION, which KafkaJS does not retry there: a
   * projector of `make cluster-up` failed to start on it. A retriable error is therefore retried
   * here, with a fresh admin client; a second pass finds the topics and creates nothing twice.
   */
  ensureTopics(layout: TopicLayout): Promise<EnsureTopicsResult> {
    return retryRetriable(() => this.admin.use((admin) => this.ensureTopicsWith(admin, layout)));
  }

  private async ensureTopicsWith(admin: Admin, layout: TopicLayout): Promise<EnsureTopicsResult> {
    const present = new Set(await admin.listTopics());
    const roles = Object.keys(this.topics) as TopicRole[];
    const missing = roles.filter((role) => !present.has(this.topics[role]));

    // One request per topic, so that a topic another instance created in the meantime
    // (TOPIC_ALREADY_EXISTS, returned as `false`) is told apart from one created here.
    const outcomes = await Promise.all(
      missing.map(async (role) => ({
        role,
        created: await admin.createTopics({ topics: [this.topicConfig(role, layout)], waitForLeaders: false }),
      })),
    );
    await waitForTopicLeaders(admin, Object.values(this.topics));
    const created = outcomes.filter((outcome) => outcome.created).map(({ role }) => this.topics[role]);
    const existing = roles.map((role) => this.topics[role]).filter((name) => !created.includes(name));
    return { created, existing };
  }

  /** Per partition of `topic`: how far `groupId` has read compared with the end of the log. */
  async describeLag(groupId: string, topic: string): Promise<PartitionLag[]> {
    const [committed, ends] = await this.admin.use((admin) =>
      Promise.all([admin.fetchOffsets({ groupId, topics: [topic] }), admin.fetchTopicOffsets(topic)]),
    );
    const committedByPartition = new Map(
      (committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [entry.partition, entry.offset]),
    );
    return ends
      .map(({ partition, high, low }) => {
        const raw = committedByPartition.get(partition);
        const committedOffset = raw === undefined || raw === NO_COMMITTED_OFFSET ? null : Number(raw);
        const highWatermark = Number(high);
        const logStartOffset = Number(low);
        const readFrom = committedOffset ?? logStartOffset;
        return {
          partition,
          committedOffset,
          logStartOffset,
          highWatermark,
          lag: Math.max(0, highWatermark - readFrom),
        };
      })
      .sort((a, b) => a.partition - b.partition);
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  private topicConfig(role: TopicRole, layout: TopicLayout): ITopicConfig {
    const retentionMs = TOPIC_RETENTION_MS[role];
    const configEntries = [
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: String(retentionMs) },
    ];
    if (layout.minInsyncReplicas !== undefined) {
      configEntries.push({ name: 'min.insync.replicas', value: String(layout.minInsyncReplicas) });
    }
    if (retentionMs === RETAIN_FOREVER) {
      // A size limit set as a broker default must not delete the event store either.
      configEntries.push({ name: 'retention.bytes', value: '-1' });
    }
    return {
      topic: this.topics[role],
      numPartitions: layout.partitions,
      replicationFactor: layout.replicationFactor,
      configEntries,
    };
  }
}
