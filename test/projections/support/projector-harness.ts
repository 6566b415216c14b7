import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { createKafkaClient, TopicAdmin, TopicNames, topicNames } from '@vinsight/kafka';
import { BatchRunner, CheckPartitions, ProjectionConsumer, ProjectionLagService, ProjectionTarget } from '@vinsight/projections';
import type { Clock } from '@vinsight/runtime';
import { testEnv } from '../../test-env';

export const quietLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function testKafka(clientId = 'projections-test'): Kafka {
  return createKafkaClient({ ...testEnv.kafka, clientId }, { logLevel: logLevel.NOTHING });
}

/** Topics under a prefix no other run uses, created with `partitions` partitions. */
export async function createTestTopics(kafka: Kafka, label: string, partitions = 3): Promise<TopicNames> {
  const topics = topicNames(`test.${label}.${randomUUID().slice(0, 8)}.`);
  const admin = new TopicAdmin(kafka, topics);
  try {
    await admin.ensureTopics({ partitions, replicationFactor: 1 });
  } finally {
    await admin.disconnect();
  }
  return topics;
}

export async function deleteTestTopics(kafka: Kafka, topics: TopicNames): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: Object.values(topics) });
  } catch {
    // best effort: a later run uses other names anyway
  } finally {
    await admin.disconnect();
  }
}

/** The live projection running in this process on `pool`, as the projector app runs it. */
export class InProcessProjector {
  readonly consumer: ProjectionConsumer;
  readonly runner: BatchRunner;

  constructor(
    kafka: Kafka,
    readonly pool: Pool,
    readonly topics: TopicNames,
    clock: Clock = { now: () => new Date() },
    options: { concurrency?: number; maxBytesPerPartition?: number } = {},
  ) {
    const target = ProjectionTarget.live();
    this.runner = new BatchRunner(pool, target, new CheckPartitions(pool, target, clock), quietLogger, testEnv.personalDataKeys);
    this.consumer = new ProjectionConsumer(kafka, this.runner, {
      groupId: `test.projector.${randomUUID().slice(0, 8)}`,
      topics: [topics.events, topics.checkEvents],
      logger: quietLogger,
      ...options,
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}

/** Resolves once every partition's checkpoint reached the end of its log. */
export async function waitUntilCaughtUp(lag: ProjectionLagService, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const partitions = await lag.lag();
    const behind = partitions.reduce((sum, p) => sum + p.lag, 0);
    if (behind === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `projection still ${behind} events behind after ${timeoutMs} ms: ${JSON.stringify(partitions.filter((p) => p.lag > 0))}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
