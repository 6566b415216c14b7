import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../../../test/kafka/kafka-test.helpers';
import { testEnv } from '../../../test/test-env';
import { createKafkaClient } from './kafka-client.factory';
import { installTransactionPartitionsRetry } from './transaction-partitions';

jest.setTimeout(60_000);

const CONCURRENT = 'another concurrent operation on the same transaction';

describe('AddPartitionsToTxn answered CONCURRENT_TRANSACTIONS is retried in place, not by a whole send', () => {
  let admin: Kafka;
  let topics: string[];

  beforeAll(async () => {
    admin = testKafkaClient('transaction-partitions-int-spec');
    const prefix = uniqueTopicPrefix('transaction-partitions');
    topics = [`${prefix}events`, `${prefix}results`];
    await createTestTopics(
      admin,
      topics.map((topic) => ({ topic, numPartitions: 1 })),
    );
  });

  afterAll(async () => {
    const client = admin.admin();
    await client.connect();
    await client.deleteTopics({ topics });
    await client.disconnect();
  });

  it('is installed by createKafkaClient', () => {
    expect(installTransactionPartitionsRetry()).toBe(true);
  });

  it('back-to-back transactions (the previous commit markers still being written) never fail a send on it', async () => {
    const seen: string[] = [];
    const kafka = createKafkaClient(
      { ...testEnv.kafka, clientId: 'transaction-partitions-int-spec' },
      {
        logLevel: logLevel.DEBUG,
        logger: {
          error: (_context, message) => seen.push(message),
          warn: (_context, message) => seen.push(message),
          info: () => undefined,
          debug: () => undefined,
        },
      },
    );
    const producer = kafka.producer({
      transactionalId: `transaction-partitions-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      for (let i = 0; i < 60; i++) {
        const transaction = await producer.transaction();
        await transaction.sendBatch({ topicMessages: topics.map((topic) => ({ topic, messages: [{ value: `v${i}` }] })), acks: -1 });
        await transaction.commit();
      }
    } finally {
      await producer.disconnect();
    }
    // KafkaJS logs each send it retries ("Failed to send messages: …"); none may be for this answer.
    expect(seen.filter((message) => message.includes(CONCURRENT))).toEqual([]);
  });
});
