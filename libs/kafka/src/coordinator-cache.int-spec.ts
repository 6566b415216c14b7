import { randomUUID } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { BrokerOutageProxy } from '../../../test/kafka/broker-outage.proxy';
import { createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../../../test/kafka/kafka-test.helpers';
import { installCoordinatorCache } from './coordinator-cache';

jest.setTimeout(60_000);

describe('coordinator cache (KafkaJS FindCoordinator once, not before every transactional request)', () => {
  let kafka: Kafka;
  let topic: string;

  beforeAll(async () => {
    kafka = testKafkaClient('coordinator-cache-int-spec');
    topic = `${uniqueTopicPrefix('coordinator-cache')}out`;
    await createTestTopics(kafka, [{ topic, numPartitions: 1 }]);
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  function transactional(transactionalId: string, client = kafka): { producer: Producer; lookups: () => number } {
    const producer = client.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    let lookups = 0;
    producer.on(producer.events.REQUEST, ({ payload }) => {
      // KafkaJS names the FindCoordinator API by its old name.
      if (payload.apiName === 'GroupCoordinator') lookups++;
    });
    return { producer, lookups: () => lookups };
  }

  async function oneTransaction(producer: Producer, groupId: string, offset: number) {
    const transaction = await producer.transaction();
    try {
      await transaction.send({ topic, messages: [{ key: 'k', value: `v${offset}` }], acks: -1 });
      await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: `${offset}` }] }] });
      await transaction.commit();
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  it('is installed by createKafkaClient', () => {
    expect(installCoordinatorCache()).toBe(true);
  });

  it('looks each coordinator up once for many transactions, and afresh after a request failed', async () => {
    const transactionalId = `coordinator-cache-${randomUUID()}`;
    const groupId = `coordinator-cache-group-${randomUUID()}`;
    const first = transactional(transactionalId);
    await first.producer.connect();
    for (let i = 1; i <= 10; i++) await oneTransaction(first.producer, groupId, i);
    // Uncached, KafkaJS sends four per transaction (before AddPartitionsToTxn, AddOffsetsToTxn,
    // TxnOffsetCommit and EndTxn): 40 here. Cached: the transaction and the group coordinator.
    expect(first.lookups()).toBeGreaterThanOrEqual(1);
    expect(first.lookups()).toBeLessThanOrEqual(2);

    // A second producer with the same id fences the first; the first one's next request fails,
    // which must drop the cached answers.
    const second = transactional(transactionalId);
    await second.producer.connect();
    // KafkaJS registers the transactional id (fencing the first producer) at the first transaction.
    await (await second.producer.transaction()).abort();
    const lookupsBefore = first.lookups() + second.lookups();
    await expect(oneTransaction(first.producer, groupId, 11)).rejects.toThrow();
    await oneTransaction(second.producer, groupId, 12);
    // Whoever asks next (the first producer's retry or the second producer) asks the broker.
    expect(first.lookups() + second.lookups()).toBeGreaterThan(lookupsBefore);

    await Promise.all([first.producer.disconnect(), second.producer.disconnect()]);
  });

  it('after its broker dropped every connection and refused new ones (killed with -9), then returned, asks for the coordinator again and commits', async () => {
    const proxy = await BrokerOutageProxy.start();
    const client = proxy.client('coordinator-cache-refused');
    const groupId = `coordinator-cache-group-${randomUUID()}`;
    const { producer, lookups } = transactional(`coordinator-cache-${randomUUID()}`, client);
    try {
      await producer.connect();
      await oneTransaction(producer, groupId, 1);
      await oneTransaction(producer, groupId, 2);
      const cached = lookups();

      await proxy.kill();
      await expect(oneTransaction(producer, groupId, 3)).rejects.toThrow();
      await proxy.restart();
      await oneTransaction(producer, groupId, 4);
      // The answer cached before the outage named a broker that refused: it was asked for again.
      expect(lookups()).toBeGreaterThan(cached);
    } finally {
      await producer.disconnect();
      await proxy.stop();
    }
  });
});
