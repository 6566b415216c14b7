import { randomUUID } from 'node:crypto';
import { ITopicConfig, Kafka, logLevel, Partitioners, Producer, ProducerConfig } from 'kafkajs';
import { createKafkaClient, waitForTopicLeaders } from '@vinsight/kafka';
import { testEnv } from '../test-env';

export interface ConsumedMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
}

/** A topic prefix no other test run uses, so runs never see each other's topics or groups. */
export function uniqueTopicPrefix(label: string): string {
  return `it.${label}.${randomUUID().slice(0, 8)}.`;
}

/** A KafkaJS client on the test broker that stays silent: failures surface as test errors. */
export function testKafkaClient(clientId: string): Kafka {
  return createKafkaClient({ ...testEnv.kafka, clientId }, { logLevel: logLevel.NOTHING });
}

/** Creates topics and waits until they have leaders (KafkaJS's own wait is not enough on KRaft). */
export async function createTestTopics(kafka: Kafka, topics: ITopicConfig[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics, waitForLeaders: false });
    await waitForTopicLeaders(
      admin,
      topics.map(({ topic }) => topic),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Producers always use the Java-compatible partitioner, so keys land where Java clients put them. */
export async function connectedProducer(kafka: Kafka, config: ProducerConfig = {}): Promise<Producer> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  await producer.connect();
  return producer;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group until `isComplete` accepts what
 * was read, then disconnects. Rejects after `timeoutMs` with the count read so far.
 */
export async function consumeUntil(
  kafka: Kafka,
  options: {
    topic: string;
    readUncommitted?: boolean;
    timeoutMs?: number;
    isComplete: (messages: readonly ConsumedMessage[]) => boolean;
  },
): Promise<ConsumedMessage[]> {
  const messages: ConsumedMessage[] = [];
  const consumer = kafka.consumer({
    groupId: `${options.topic}.reader.${randomUUID().slice(0, 8)}`,
    readUncommitted: options.readUncommitted ?? false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`read ${messages.length} messages of ${options.topic} before the timeout`)),
        options.timeoutMs ?? 30000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            messages.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
            });
            if (options.isComplete(messages)) resolve();
          },
        })
        .catch(reject);
    }).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
