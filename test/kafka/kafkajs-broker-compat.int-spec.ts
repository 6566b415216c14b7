import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { TopicAdmin, topicNames } from '@vinsight/kafka';
import { connectedProducer, consumeUntil, createTestTopics, testKafkaClient, uniqueTopicPrefix } from './kafka-test.helpers';

// The broker's first transaction or consumer group of a run can take seconds (coordinator load).
jest.setTimeout(60_000);

/**
 * KafkaJS 2.2.4 against the local broker (Kafka 4 dropped old protocol versions, KIP-896): the
 * exactly-once loop the command processor relies on — a consumer group reads, and one
 * transaction writes the output and commits the input offsets (TxnOffsetCommit).
 */
describe('KafkaJS consume-transform-produce on the local broker', () => {
  let kafka: Kafka;
  let input: string;
  let output: string;

  beforeAll(async () => {
    kafka = testKafkaClient('kafkajs-compat');
    const prefix = uniqueTopicPrefix('compat');
    [input, output] = [`${prefix}input`, `${prefix}output`];
    await createTestTopics(kafka, [
      { topic: input, numPartitions: 3 },
      { topic: output, numPartitions: 3 },
    ]);
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [input, output] });
    await admin.disconnect();
  });

  it('commits the consumed offsets in the same transaction as the output', async () => {
    const keys = Array.from({ length: 6 }, () => randomUUID());
    const total = keys.length * 5;
    const producer = await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
    await producer.send({
      topic: input,
      messages: Array.from({ length: total }, (_, i) => ({ key: keys[i % keys.length], value: `in-${i}` })),
    });
    await producer.disconnect();

    const groupId = `${input}.processor`;
    const txProducer = await connectedProducer(kafka, {
      transactionalId: `${groupId}.tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    let processed = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`processed ${processed} of ${total}`)), 30000);
        consumer
          .run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
              const transaction = await txProducer.transaction();
              try {
                await transaction.send({
                  topic: output,
                  messages: batch.messages.map((message) => ({
                    key: message.key,
                    value: `out-${message.value?.toString()}`,
                  })),
                });
                await transaction.sendOffsets({
                  consumerGroupId: groupId,
                  topics: [
                    {
                      topic: batch.topic,
                      partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
                    },
                  ],
                });
                await transaction.commit();
              } catch (error) {
                await transaction.abort();
                throw error;
              }
              for (const message of batch.messages) resolveOffset(message.offset);
              await heartbeat();
              processed += batch.messages.length;
              if (processed >= total) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await txProducer.disconnect();
    }

    const topicAdmin = new TopicAdmin(kafka, topicNames('unused.'));
    try {
      const lag = await topicAdmin.describeLag(groupId, input);
      expect(lag.map((partition) => partition.lag)).toEqual([0, 0, 0]);
      expect(lag.reduce((sum, partition) => sum + (partition.committedOffset ?? 0), 0)).toBe(total);
    } finally {
      await topicAdmin.disconnect();
    }

    const transformed = await consumeUntil(kafka, {
      topic: output,
      isComplete: (messages) => messages.length >= total,
    });
    expect(transformed.map((message) => message.value).sort()).toEqual(Array.from({ length: total }, (_, i) => `out-in-${i}`).sort());
  });
});
