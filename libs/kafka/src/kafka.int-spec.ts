import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka } from 'kafkajs';
import {
  connectedProducer,
  consumeUntil,
  createTestTopics,
  testKafkaClient,
  uniqueTopicPrefix,
} from '../../../test/kafka/kafka-test.helpers';
import { TopicAdmin } from './topic-admin';
import { topicNames, TopicNames } from './topic-names';

const DAY_MS = 24 * 60 * 60 * 1000;

// The broker's first transaction or consumer group of a run can take seconds (coordinator load).
jest.setTimeout(60_000);

describe('libs/kafka against the real broker', () => {
  let kafka: Kafka;
  const topicsToDelete: string[] = [];

  beforeAll(() => {
    kafka = testKafkaClient('kafka-int-spec');
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    const present = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topicsToDelete.filter((topic) => present.has(topic)) });
    await admin.disconnect();
  });

  async function createTopic(topic: string, numPartitions: number): Promise<string> {
    topicsToDelete.push(topic);
    await createTestTopics(kafka, [{ topic, numPartitions }]);
    return topic;
  }

  describe('TopicAdmin.ensureTopics', () => {
    let names: TopicNames;
    let topicAdmin: TopicAdmin;

    beforeAll(() => {
      names = topicNames(uniqueTopicPrefix('ensure'));
      topicsToDelete.push(...Object.values(names));
      topicAdmin = new TopicAdmin(kafka, names);
    });

    afterAll(() => topicAdmin.disconnect());

    it('creates the five topics with the partition count and the contract retention', async () => {
      const result = await topicAdmin.ensureTopics({ partitions: 4, replicationFactor: 1 });
      expect([...result.created].sort()).toEqual(Object.values(names).sort());
      expect(result.existing).toEqual([]);

      const admin = kafka.admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: Object.values(names) });
        for (const topic of metadata.topics) {
          expect({ topic: topic.name, partitions: topic.partitions.length }).toEqual({
            topic: topic.name,
            partitions: 4,
          });
          expect(topic.partitions.every((partition) => partition.replicas.length === 1)).toBe(true);
        }

        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: Object.values(names).map((name) => ({
            type: ConfigResourceTypes.TOPIC,
            name,
            configNames: ['retention.ms', 'retention.bytes', 'cleanup.policy'],
          })),
        });
        const configs = Object.fromEntries(
          described.resources.map((resource) => [
            resource.resourceName,
            Object.fromEntries(resource.configEntries.map((entry) => [entry.configName, entry.configValue])),
          ]),
        );
        expect(configs).toEqual({
          [names.commands]: { 'retention.ms': String(7 * DAY_MS), 'retention.bytes': '-1', 'cleanup.policy': 'delete' },
          [names.commandResults]: { 'retention.ms': String(7 * DAY_MS), 'retention.bytes': '-1', 'cleanup.policy': 'delete' },
          [names.events]: { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' },
          [names.checkEvents]: { 'retention.ms': String(30 * DAY_MS), 'retention.bytes': '-1', 'cleanup.policy': 'delete' },
          [names.commandsDlq]: { 'retention.ms': String(30 * DAY_MS), 'retention.bytes': '-1', 'cleanup.policy': 'delete' },
        });
        // Only the event store pins its size limit explicitly; the others inherit the broker's.
        const explicit = described.resources.map((resource) => ({
          topic: resource.resourceName,
          bytesFromTopic: resource.configEntries.find((entry) => entry.configName === 'retention.bytes')?.isDefault === false,
        }));
        expect(explicit.filter((entry) => entry.bytesFromTopic).map((entry) => entry.topic)).toEqual([names.events]);
      } finally {
        await admin.disconnect();
      }
    });

    it('is idempotent: a second call creates nothing and changes nothing', async () => {
      const again = await topicAdmin.ensureTopics({ partitions: 8, replicationFactor: 1 });
      expect(again.created).toEqual([]);
      expect([...again.existing].sort()).toEqual(Object.values(names).sort());

      const admin = kafka.admin();
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: [names.events] });
      await admin.disconnect();
      expect(metadata.topics[0].partitions).toHaveLength(4);
    });

    it('lets instances that start together create each topic exactly once', async () => {
      const racing = topicNames(uniqueTopicPrefix('race'));
      topicsToDelete.push(...Object.values(racing));
      const first = new TopicAdmin(kafka, racing);
      const second = new TopicAdmin(kafka, racing);
      try {
        const results = await Promise.all([
          first.ensureTopics({ partitions: 2, replicationFactor: 1 }),
          second.ensureTopics({ partitions: 2, replicationFactor: 1 }),
        ]);
        const createdByEither = results.flatMap((result) => result.created).sort();
        expect(createdByEither).toEqual(Object.values(racing).sort());
      } finally {
        await Promise.all([first.disconnect(), second.disconnect()]);
      }
    });
  });

  describe('TopicAdmin.describeLag', () => {
    it('compares the committed offset of each partition with the end of the log', async () => {
      const topic = await createTopic(`${uniqueTopicPrefix('lag')}input`, 3);
      // Idempotent: a plain producer's retry after a lost answer wrote partition 1's five twice.
      const producer = await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
      await producer.send({
        topic,
        messages: [
          ...Array.from({ length: 3 }, (_, i) => ({ partition: 0, value: `p0-${i}` })),
          ...Array.from({ length: 5 }, (_, i) => ({ partition: 1, value: `p1-${i}` })),
        ],
      });
      await producer.disconnect();

      // Committed the way the command processor commits: inside a transaction (TxnOffsetCommit).
      const groupId = `${topic}.group`;
      const committer = await connectedProducer(kafka, {
        transactionalId: `${groupId}.committer`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      // On a broker that has just started, the group's coordinator may still be loading
      // (NOT_COORDINATOR, which KafkaJS does not retry inside sendOffsets): try again, as the
      // command processor does by re-processing the batch.
      for (let attempt = 1; ; attempt++) {
        const transaction = await committer.transaction();
        try {
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [{ topic, partitions: [{ partition: 0, offset: '1' }] }],
          });
          await transaction.commit();
          break;
        } catch (error) {
          await transaction.abort().catch(() => undefined);
          if (attempt === 5) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      await committer.disconnect();

      const topicAdmin = new TopicAdmin(kafka, topicNames('unused.'));
      try {
        expect(await topicAdmin.describeLag(groupId, topic)).toEqual([
          { partition: 0, committedOffset: 1, logStartOffset: 0, highWatermark: 3, lag: 2 },
          { partition: 1, committedOffset: null, logStartOffset: 0, highWatermark: 5, lag: 5 },
          { partition: 2, committedOffset: null, logStartOffset: 0, highWatermark: 0, lag: 0 },
        ]);
      } finally {
        await topicAdmin.disconnect();
      }
    });
  });

  describe('idempotent producer', () => {
    it('round-trips keyed messages: all of them, once, in order per key, one partition per key', async () => {
      const topic = await createTopic(`${uniqueTopicPrefix('idempotent')}events`, 6);
      const keys = Array.from({ length: 10 }, () => randomUUID());
      const perKey = 20;
      const producer = await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
      // Several sends, interleaving keys, so that order is kept across requests and not just inside one.
      for (let round = 0; round < perKey; round += 5) {
        await producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: 5 }, (_, i) => round + i).flatMap((sequence) =>
            keys.map((key) => ({ key, value: JSON.stringify({ key, sequence }) })),
          ),
        });
      }
      await producer.disconnect();

      const total = keys.length * perKey;
      const read = await consumeUntil(kafka, { topic, isComplete: (messages) => messages.length >= total });

      expect(read).toHaveLength(total);
      for (const key of keys) {
        const ofKey = read.filter((message) => message.key === key);
        expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
        expect(ofKey.map((message) => JSON.parse(message.value ?? '{}').sequence)).toEqual(
          Array.from({ length: perKey }, (_, sequence) => sequence),
        );
      }
    });
  });

  describe('transactions', () => {
    it('hide an aborted transaction from read_committed consumers and show a committed one', async () => {
      const topic = await createTopic(`${uniqueTopicPrefix('tx')}events`, 1);
      const key = randomUUID();
      const producer = await connectedProducer(kafka, {
        transactionalId: `${topic}.producer`,
        idempotent: true,
        maxInFlightRequests: 1,
      });

      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: ['A-0', 'A-1', 'A-2'].map((value) => ({ key, value })) });
      await aborted.abort();

      const committed = await producer.transaction();
      await committed.send({ topic, messages: ['B-0', 'B-1', 'B-2'].map((value) => ({ key, value })) });
      await committed.commit();
      await producer.disconnect();

      // One partition: B follows A in the log, so once B is read, A would have been read before it.
      const readCommitted = await consumeUntil(kafka, {
        topic,
        isComplete: (messages) => messages.some((message) => message.value === 'B-2'),
      });
      expect(readCommitted.map((message) => message.value)).toEqual(['B-0', 'B-1', 'B-2']);

      // The aborted records are in the log all the same: only the isolation level hides them.
      const readUncommitted = await consumeUntil(kafka, {
        topic,
        readUncommitted: true,
        isComplete: (messages) => messages.some((message) => message.value === 'B-2'),
      });
      expect(readUncommitted.map((message) => message.value)).toEqual(['A-0', 'A-1', 'A-2', 'B-0', 'B-1', 'B-2']);
    });
  });
});
