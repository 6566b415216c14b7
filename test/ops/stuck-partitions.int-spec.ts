import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { Kafka, KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import { InputPartitionsProgress } from '@vinsight/command-processing';
import { ConfigModule, loadConfig } from '@vinsight/config';
import {
  ConsumerGroupRegistry,
  HealthModule,
  LifecycleState,
  PartitionProgressRegistry,
  PRIMARY_POOL,
  trackConsumerGroup,
} from '@vinsight/health';
import {
  KafkaLogger,
  Slice,
  SliceProcessor,
  TopicAdmin,
  topicNames,
  TransactionalPipeline,
  transactionalPipeline,
  TransactionOutput,
} from '@vinsight/kafka';
import { MetricsModule } from '@vinsight/observability';
import { InjectedFaults } from '@vinsight/runtime';
import { connectedProducer, createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../kafka/kafka-test.helpers';
import { testEnv } from '../test-env';
import { eventually } from './support/eventually';
import { parsePrometheusText } from './support/prometheus-text';

jest.setTimeout(120000);

const STUCK_AFTER_SECONDS = 3;
const CACHE_TTL_MS = 500;

/** Copies every input record to `output` on its partition; the transaction carries the input offset. */
class EchoProcessor implements SliceProcessor<KafkaMessage, TransactionOutput> {
  constructor(private readonly output: string) {}
  async process({ partition, records }: Slice<KafkaMessage>): Promise<TransactionOutput> {
    return { messages: [{ topic: this.output, messages: records.map((m) => ({ partition, key: m.key, value: m.value })) }] };
  }
}

const silent: KafkaLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/**
 * A real consumer group (the transactional processor the command side runs) on the shared broker:
 * partition 1 reads its input but every transaction fails, so its committed offset never moves;
 * partition 0 is fed and processed; partition 2 is fed by a transactional producer, so a commit
 * marker stays after the group's committed offset. Only partition 1 may be named.
 */
describe('readiness names a stuck partition of a real consumer group', () => {
  const prefix = uniqueTopicPrefix('stuck');
  const [input, output, group] = [`${prefix}in`, `${prefix}out`, `${prefix}group`];
  let kafka: Kafka;
  let pool: Pool;
  let app: NestFastifyApplication;
  let baseUrl: string;
  let admin: TopicAdmin;
  let processor: TransactionalPipeline | undefined;
  let unregister: (() => void)[] = [];

  const ready = async (): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${baseUrl}/health/ready`);
    return { status: response.status, body: await response.json() };
  };
  const stuckGauge = async () => {
    const samples = parsePrometheusText(await (await fetch(`${baseUrl}/metrics`)).text());
    return samples.find((s) => s.name === 'vinsight_stuck_partitions' && s.labels.group === group)?.value;
  };

  /** Starts a processor of the group, failing every transaction of `failPartition` when given. */
  async function startProcessor(failPartition?: number) {
    const faults = new InjectedFaults({ failPartition });
    processor = transactionalPipeline(kafka, {
      groupId: group,
      inputTopic: input,
      processor: new EchoProcessor(output),
      transactionalIdPrefix: `${prefix}tx`,
      maxMessagesPerTransaction: 20,
      partitionsConcurrently: 3,
      logger: silent,
      beforeCommit: (partition, records) => faults.insideBatch(partition, records, 'a transaction', true),
    });
    const membership = trackConsumerGroup(processor.groupConsumer, group);
    unregister = [
      app.get(ConsumerGroupRegistry).register(membership),
      app.get(PartitionProgressRegistry).register(new InputPartitionsProgress(group, input, admin, membership, processor)),
    ];
    await processor.start();
    await eventually(
      'joined',
      async () => membership.consumerGroupStatus(),
      (s) => s.state === 'joined' && (s.assignment[input] ?? []).length === 3,
    );
  }

  async function stopProcessor() {
    for (const remove of unregister.splice(0)) remove();
    await processor?.stop();
    processor = undefined;
  }

  beforeAll(async () => {
    kafka = testKafkaClient('stuck-partitions-int-spec');
    await createTestTopics(kafka, [
      { topic: input, numPartitions: 3 },
      { topic: output, numPartitions: 3 },
    ]);
    admin = new TopicAdmin(kafka, topicNames(prefix));
    pool = new Pool({ connectionString: testEnv.projectorUrl, max: 1 });
    const config = loadConfig(['command-processor'], {
      PROJECTOR_DATABASE_URL: testEnv.projectorUrl,
      ...testEnv.personalDataEnvironment,
      MIGRATE_ON_START: 'false',
      KAFKA_BROKERS: testEnv.kafkaBrokers.join(','),
      READINESS_STUCK_PARTITION_SECONDS: String(STUCK_AFTER_SECONDS),
    });
    const lifecycle = new LifecycleState();
    lifecycle.migrationsApplied = true;

    @Module({
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule.forRoot({ service: 'stucktest', pools: [] }),
        HealthModule.forRoot({
          primaryPool: { provide: PRIMARY_POOL, useValue: pool },
          lifecycle,
          cacheTtlMs: CACHE_TTL_MS,
          checks: { consumerGroups: true, stuckPartitions: true },
        }),
      ],
    })
    class StuckTestModule {}

    app = await NestFactory.create<NestFastifyApplication>(StuckTestModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await stopProcessor().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
  });

  it('503 naming the group and partition 1 only, while 0 and 2 move on; 200 once the fault is gone', async () => {
    await startProcessor(1);
    const idle = await ready();
    expect(idle.status).toBe(200);
    expect(idle.body.info.partitions).toEqual({
      status: 'up',
      stuckAfterSeconds: STUCK_AFTER_SECONDS,
      groups: { [group]: { partitions: 3, pending: 0, stuck: 0 } },
    });

    const producer = await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
    const transactional = await connectedProducer(kafka, { transactionalId: `${prefix}feeder`, idempotent: true, maxInFlightRequests: 1 });
    const fed = Date.now();
    for (let round = 0; round < 5; round++) {
      await producer.send({
        topic: input,
        acks: -1,
        messages: [0, 1].flatMap((partition) => Array.from({ length: 10 }, (_, i) => ({ partition, value: `${partition}.${round}.${i}` }))),
      });
      const transaction = await transactional.transaction();
      await transaction.send({
        topic: input,
        messages: Array.from({ length: 10 }, (_, i) => ({ partition: 2, value: `2.${round}.${i}` })),
      });
      await transaction.commit();
    }
    await producer.disconnect();
    await transactional.disconnect();

    const stuck = await eventually('503', ready, (r) => r.status === 503, 30000);
    const tookSeconds = (Date.now() - fed) / 1000;
    expect(Object.keys(stuck.body.error)).toEqual(['partitions']);
    expect(stuck.body.error.partitions.stuck).toEqual([
      { group, topic: input, partition: 1, committedOffset: '0', endOffset: '50', stuckForSeconds: expect.any(Number) },
    ]);
    expect(stuck.body.error.partitions.stuck[0].stuckForSeconds).toBeGreaterThanOrEqual(STUCK_AFTER_SECONDS);
    expect(tookSeconds).toBeLessThan(STUCK_AFTER_SECONDS + 5);
    expect(stuck.body.error.partitions.message).toMatch(
      new RegExp(
        `^1 partition\\(s\\) stuck with input waiting for ${STUCK_AFTER_SECONDS} s or more: ${group} ${input}\\[1\\] at 0 of 50 for \\d+ s$`,
      ),
    );
    expect(stuck.body.info['kafka-consumers'].status).toBe('up');
    expect(await stuckGauge()).toBe(1);

    // Partition 2 ends with a commit marker the group's offset never passes: idle, not stuck.
    const lag = await admin.describeLag(group, input);
    expect(lag.map((p) => [p.partition, p.committedOffset, p.highWatermark])).toEqual([
      [0, 50, 50],
      [1, null, 50],
      [2, 54, 55],
    ]);
    await new Promise((resolve) => setTimeout(resolve, (STUCK_AFTER_SECONDS + 1) * 1000));
    const later = await ready();
    expect(later.body.error.partitions.stuck.map((s: { partition: number }) => s.partition)).toEqual([1]);
    expect(later.body.error.partitions.groups[group]).toEqual({ partitions: 3, pending: 1, stuck: 1 });

    await stopProcessor();
    await startProcessor();
    // A new member starts counting afresh: 200 at once, and nothing waiting once it has caught up.
    const recovered = await eventually(
      'caught up',
      ready,
      (r) => r.status === 200 && r.body.info.partitions.groups[group]?.pending === 0,
      30000,
    );
    expect(recovered.body.info.partitions.groups[group]).toEqual({ partitions: 3, pending: 0, stuck: 0 });
    expect(await stuckGauge()).toBe(0);
    expect((await admin.describeLag(group, input))[1]).toMatchObject({ committedOffset: 50, highWatermark: 50 });
  });
});
