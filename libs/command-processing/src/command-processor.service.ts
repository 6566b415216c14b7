import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { ConsumerGroupRegistry, LifecycleState, PartitionProgressRegistry, trackConsumerGroup } from '@vinsight/health';
import { AppMetrics } from '@vinsight/observability';
import { PROCESSOR_SESSION_TIMEOUT_MS, TopicAdmin, TopicNames, TransactionalPipeline, transactionalPipeline } from '@vinsight/kafka';
import { InjectedFaults, nestKafkaLogger } from '@vinsight/runtime';
import { Kafka } from 'kafkajs';
import { CommandPartitionHandler } from './command-partition.handler';
import { InputPartitionsProgress } from './input-partitions.progress';
import { commandTypeLabel } from './command-type-label';
import { KAFKA_CLIENT, TOPIC_NAMES } from './tokens';

/** Commands per Kafka transaction: large enough to amortise the transaction's round trips. */
const MAX_COMMANDS_PER_TRANSACTION = 1000;

/**
 * Hosts the command processor: creates the topics, joins the consumer group on `commands`, and
 * on shutdown finishes the in-flight transaction and leaves the group before the pools close.
 */
@Injectable()
export class CommandProcessorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CommandProcessor');
  private processor?: TransactionalPipeline;
  /** Reads the group's committed offsets for readiness; its own connection, held while running. */
  private groupAdmin?: TopicAdmin;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly handler: CommandPartitionHandler,
    private readonly lifecycle: LifecycleState,
    private readonly consumerGroups: ConsumerGroupRegistry,
    private readonly metrics: AppMetrics,
    private readonly partitionProgress: PartitionProgressRegistry,
  ) {
    handler.onOutcome = (type, outcome, code, seconds) => {
      const label = commandTypeLabel(type);
      metrics.recordCommand(label, outcome, code);
      metrics.observeCommandDuration(label, outcome, seconds);
    };
  }

  get isJoined(): boolean {
    return this.processor?.isJoined ?? false;
  }

  get assignedPartitions(): number[] {
    return this.processor?.assignedPartitions(this.topics.commands) ?? [];
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lifecycle.expectStart('command-processor');
    this.handler.snapshotEvery = this.config.processor.snapshotEveryEvents;
    const admin = new TopicAdmin(this.kafka, this.topics);
    try {
      await admin.ensureTopics({
        partitions: this.config.kafka.partitions,
        replicationFactor: this.config.kafka.replicationFactor,
        minInsyncReplicas: this.config.kafka.minInsyncReplicas,
      });
    } finally {
      await admin.disconnect();
    }
    const groupId = `${this.config.kafka.clientId}.command-processor`;
    this.processor = transactionalPipeline(this.kafka, {
      groupId,
      inputTopic: this.topics.commands,
      processor: this.handler,
      transactionalIdPrefix: groupId,
      maxMessagesPerTransaction: MAX_COMMANDS_PER_TRANSACTION,
      lingerMs: this.config.processor.transactionLingerMs,
      partitionsConcurrently: this.config.kafka.partitions,
      logger: nestKafkaLogger(this.logger),
      // One place per committed transaction: metrics of the slice (its commands, how long it took) go here.
      onCommitted: (slice, _receipt, durationMs) => this.metrics.observeBatch('command-processor', slice.records.length, durationMs / 1000),
      beforeCommit: this.injectedFaults(),
    });
    const membership = trackConsumerGroup(this.processor.groupConsumer, groupId, { sessionTimeoutMs: PROCESSOR_SESSION_TIMEOUT_MS });
    this.processor.onConsumerReplaced((consumer) => {
      membership.follow(consumer);
      this.metrics.recordConsumerReplaced(groupId);
    });
    this.consumerGroups.register(membership);
    this.groupAdmin = new TopicAdmin(this.kafka, this.topics);
    this.partitionProgress.register(
      new InputPartitionsProgress(groupId, this.topics.commands, this.groupAdmin, membership, this.processor),
    );
    await this.processor.start();
    this.lifecycle.markStarted('command-processor');
    this.logger.log(`consuming ${this.topics.commands} as ${groupId}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.processor?.stop();
    await this.groupAdmin?.disconnect();
  }

  /** The test-only faults of FAULT_INJECTION_*, inside each transaction before its commit; none in production. */
  private injectedFaults(): ((partition: number, commands: number) => void) | undefined {
    const faults = new InjectedFaults(this.config.faultInjection);
    if (!faults.enabled) return undefined;
    this.logger.warn(`fault injection is on (tests only): ${JSON.stringify(this.config.faultInjection)}`);
    return (partition, commands) => faults.insideBatch(partition, commands, `a transaction of partition ${partition}`, true);
  }
}
