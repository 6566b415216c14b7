import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig, personalDataKeysOf } from '@vinsight/config';
import { PROJECTOR_POOL } from '@vinsight/database';
import { ConsumerGroupRegistry, PartitionProgressRegistry, ProjectionLagRegistry, trackConsumerGroup } from '@vinsight/health';
import type { LifecycleState } from '@vinsight/health';
import { AppMetrics } from '@vinsight/observability';
import { TopicAdmin, topicNames } from '@vinsight/kafka';
import { InjectedFaults } from '@vinsight/runtime';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { BatchRunner } from './apply/batch-runner';
import { ProjectionTarget } from './projection-target';
import { CLOCK, Clock } from '@vinsight/runtime';
import { CONSUMER_SESSION_TIMEOUT_MS, ProjectionConsumer } from './consumer/projection-consumer';
import { ProjectionLagService } from './lag/projection-lag.service';
import { ProjectionPartitionsProgress } from './lag/projection-partitions.progress';
import { CheckPartitions } from './partitions/check-partitions';
import {
  DEFAULT_RETENTION_FIRST_RUN_MS,
  DEFAULT_RETENTION_INTERVAL_MS,
  PARTITION_MAINTENANCE_INTERVAL_MS,
  ProjectorOptions,
} from './projector.options';
import { PROJECTIONS_KAFKA, PROJECTOR_LIFECYCLE, PROJECTOR_OPTIONS } from './projector.tokens';
import { RetentionService } from './retention/retention.service';

export const PROJECTOR_COMPONENT = 'projector';

/**
 * Hosts the live projection: on bootstrap it creates missing topics and the coming days'
 * check partitions, joins the consumer group on `events` and `check-events`, and schedules
 * retention; on shutdown it lets the batches in flight commit, then leaves the group (before
 * the pools close).
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projector');
  private consumer?: ProjectionConsumer;
  private readonly timers: NodeJS.Timeout[] = [];
  private retentionRunning?: Promise<unknown>;

  constructor(
    @Inject(PROJECTIONS_KAFKA) private readonly kafka: Kafka,
    @Inject(PROJECTOR_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PROJECTOR_OPTIONS) private readonly options: ProjectorOptions,
    private readonly retention: RetentionService,
    @Inject(PROJECTOR_LIFECYCLE) private readonly lifecycle: Pick<LifecycleState, 'expectStart' | 'markStarted'>,
    private readonly lag: ProjectionLagService,
    // Provided by the platform modules (health, metrics) when the role runs them.
    @Optional() private readonly consumerGroups?: ConsumerGroupRegistry,
    @Optional() private readonly lagSources?: ProjectionLagRegistry,
    @Optional() private readonly metrics?: AppMetrics,
    @Optional() private readonly partitionProgress?: PartitionProgressRegistry,
  ) {}

  get groupId(): string {
    return `${this.config.kafka.clientId}.projector`;
  }

  /** The running consumer (for health tracking); undefined before bootstrap. */
  get projectionConsumer(): ProjectionConsumer | undefined {
    return this.consumer;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.lifecycle.expectStart(PROJECTOR_COMPONENT);
    const topics = topicNames(this.config.kafka.topicPrefix);
    const admin = new TopicAdmin(this.kafka, topics);
    try {
      await admin.ensureTopics({
        partitions: this.config.kafka.partitions,
        replicationFactor: this.config.kafka.replicationFactor,
        minInsyncReplicas: this.config.kafka.minInsyncReplicas,
      });
    } finally {
      await admin.disconnect();
    }
    const target = ProjectionTarget.live();
    const partitions = new CheckPartitions(this.pool, target, this.clock);
    await partitions.ensureUpcoming();
    const runner = new BatchRunner(this.pool, target, partitions, this.logger, personalDataKeysOf(this.config));
    runner.beforeCommit = this.injectedFaults();
    this.consumer = new ProjectionConsumer(this.kafka, runner, {
      groupId: this.groupId,
      topics: [topics.events, topics.checkEvents],
      concurrency: this.options.concurrency,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      maxBatchRecords: this.options.maxBatchRecords,
      maxBufferedRecords: this.config.projector.maxBufferedRecords,
      logger: this.logger,
      onBatch: (topic, partition, result, durationMs) => {
        this.options.metrics?.batchApplied(topic, partition, result, durationMs);
        if (this.metrics) {
          this.metrics.observeBatch(PROJECTOR_COMPONENT, result.applied + result.parked, durationMs / 1000);
          for (const [type, count] of result.types) this.metrics.recordEventsProjected(target.projection, type, count);
          if (result.parked > 0) this.metrics.recordEventsParked(target.projection, result.parked);
        }
        if (result.parked > 0) this.logger.warn(`${topic}[${partition}]: parked ${result.parked} event(s) of the batch`);
      },
    });
    const membership = trackConsumerGroup(this.consumer.kafkaConsumer, this.groupId, { sessionTimeoutMs: CONSUMER_SESSION_TIMEOUT_MS });
    this.consumer.onConsumerReplaced((consumer) => {
      membership.follow(consumer);
      this.metrics?.recordConsumerReplaced(this.groupId);
    });
    this.consumerGroups?.register(membership);
    this.partitionProgress?.register(new ProjectionPartitionsProgress(this.groupId, this.lag, membership));
    this.lagSources?.register(this.lag);
    await this.consumer.start();
    this.schedule(partitions);
    this.lifecycle.markStarted(PROJECTOR_COMPONENT);
    this.logger.log(`projecting ${topics.events} and ${topics.checkEvents} as ${this.groupId}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await this.consumer?.stop();
    await this.retentionRunning;
  }

  /** The test-only fault of FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS, inside each batch before its commit; none in production. */
  private injectedFaults(): BatchRunner['beforeCommit'] {
    const faults = new InjectedFaults(this.config.faultInjection);
    if (!faults.enabled) return undefined;
    this.logger.warn(`fault injection is on (tests only): ${JSON.stringify(this.config.faultInjection)}`);
    return (partition, records, batch) => faults.insideBatch(partition, records, batch);
  }

  private schedule(partitions: CheckPartitions): void {
    const maintain = setInterval(() => {
      partitions.ensureUpcoming().catch((error: Error) => this.logger.warn(`check partitions: ${error.message}`));
    }, PARTITION_MAINTENANCE_INTERVAL_MS);
    maintain.unref();
    this.timers.push(maintain);

    const interval = this.options.retentionIntervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
    if (interval <= 0) return;
    const runRetention = () => {
      if (this.retentionRunning) return;
      this.retentionRunning = this.retention
        .run()
        .then((report) => {
          if (report.ran) this.logger.log(`retention: ${JSON.stringify(report)}`);
        })
        .catch((error: Error) => this.logger.error(`retention failed: ${error.message}`))
        .finally(() => (this.retentionRunning = undefined));
    };
    const first = setTimeout(() => {
      runRetention();
      const every = setInterval(runRetention, interval);
      every.unref();
      this.timers.push(every);
    }, this.options.retentionFirstRunMs ?? DEFAULT_RETENTION_FIRST_RUN_MS);
    first.unref();
    this.timers.push(first);
  }
}
