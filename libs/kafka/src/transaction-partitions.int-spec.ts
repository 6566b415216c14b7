import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../../../test/kafka/kafka-test.helpers';
import { testEnv } from '../../../test/test-env';
import { createKafkaClient } from './kafka-client.factory';
import { installTransactionPartitionsRetry } from './transaction-partitions';

jest.setTimeout(60_000);

const CONCURRENT = 'another concurrent operation on the same transaction';

describe('AddPartitionsToTxn and AddOffsetsToTxn answered CONCURRENT_TRANSACTIONS are retried in place', () => {
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

  /** A client whose KafkaJS warnings and errors land in `seen`. */
  const loggedClient = (seen: string[]): Kafka =>
    createKafkaClient(
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

  /** A connected transactional producer of its own id, logging into `seen`. */
  const connectedProducer = async (seen: string[]): Promise<Producer> => {
    const producer = loggedClient(seen).producer({
      transactionalId: `transaction-partitions-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    return producer;
  };

  it('back-to-back transactions (the previous commit markers still being written) never fail a send on it', async () => {
    const seen: string[] = [];
    const producer = await connectedProducer(seen);
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

  it('back-to-back transactions that start with their offsets (KafkaJS retries nothing there) never fail on it', async () => {
    const seen: string[] = [];
    const producer = await connectedProducer(seen);
    const failures: string[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        const transaction = await producer.transaction();
        try {
          await transaction.sendOffsets({
            consumerGroupId: `${topics[0]}-group`,
            topics: [{ topic: topics[0], partitions: [{ partition: 0, offset: `${i}` }] }],
          });
          await transaction.sendBatch({ topicMessages: [{ topic: topics[1], messages: [{ value: `v${i}` }] }], acks: -1 });
          await transaction.commit();
        } catch (error) {
          failures.push((error as Error).message);
          await transaction.abort();
        }
      }
    } finally {
      await producer.disconnect();
    }
    expect(failures).toEqual([]);
    expect(seen.filter((message) => message.includes(CONCURRENT))).toEqual([]);
  });
});
