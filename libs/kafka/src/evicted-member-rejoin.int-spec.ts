import { randomUUID } from 'node:crypto';
import { Consumer, Kafka } from 'kafkajs';
import { connectedProducer, createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../../../test/kafka/kafka-test.helpers';
import { eventually } from '../../../test/ops/support/eventually';
import { installEvictedMemberRejoin } from './evicted-member-rejoin';

jest.setTimeout(90_000);

// KafkaJS's internals: the Broker class every coordinator request goes through, and its error codes.
const Broker = require('kafkajs/src/broker') as { prototype: { joinGroup: (request: { groupId: string }) => Promise<unknown> } };
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };
const GROUP_LOAD_IN_PROGRESS = 14;

const SESSION_TIMEOUT_MS = 6_000;

describe('a KafkaJS consumer evicted from its group whose first rejoin is refused', () => {
  let kafka: Kafka;
  let topic: string;
  let consumer: Consumer | undefined;
  const kafkajsJoinGroup = Broker.prototype.joinGroup;

  beforeAll(async () => {
    // The client factory installs the guard, as for every client of the service.
    kafka = testKafkaClient('evicted-member-rejoin');
    topic = `${uniqueTopicPrefix('evicted-member')}in`;
    await createTestTopics(kafka, [{ topic, numPartitions: 1 }]);
  });

  afterEach(() => {
    Broker.prototype.joinGroup = kafkajsJoinGroup;
  });

  afterAll(async () => {
    await consumer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('joins again and consumes as a member, instead of fetching for ever with no member id', async () => {
    expect(installEvictedMemberRejoin()).toBe(true);
    const groupId = `${topic}.group.${randomUUID().slice(0, 8)}`;
    consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_TIMEOUT_MS, rebalanceTimeout: 10_000, heartbeatInterval: 500 });
    let joins = 0;
    consumer.on(consumer.events.GROUP_JOIN, () => joins++);
    const received: string[] = [];
    let evicted = false;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        received.push(...batch.messages.map((message) => message.value!.toString()));
        if (evicted) return;
        evicted = true;
        // The coordinator loads the group again when the member comes back: its first JoinGroup is refused.
        let refused = false;
        Broker.prototype.joinGroup = async function (this: unknown, request: { groupId: string }) {
          if (!refused && request.groupId === groupId) {
            refused = true;
            throw createErrorFromCode(GROUP_LOAD_IN_PROGRESS);
          }
          return kafkajsJoinGroup.call(this, request);
        };
        // No heartbeat for longer than the session: the coordinator evicts the member.
        await new Promise((resolve) => setTimeout(resolve, SESSION_TIMEOUT_MS + 5_000));
      },
    });
    const producer = await connectedProducer(kafka);
    try {
      await producer.send({ topic, messages: [{ value: 'before' }] });
      await eventually(
        'the first batch',
        async () => evicted,
        (seen) => seen,
        20_000,
      );
      await eventually(
        'a second join',
        async () => joins,
        (count) => count >= 2,
        30_000,
      );
      // A member of its group again, as the coordinator sees it.
      const admin = kafka.admin();
      await admin.connect();
      try {
        await eventually(
          'the group stable with one member',
          async () => {
            const [group] = (await admin.describeGroups([groupId])).groups;
            return { state: group.state, members: group.members.length };
          },
          (group) => group.state === 'Stable' && group.members === 1,
          15_000,
        );
      } finally {
        await admin.disconnect();
      }
      await producer.send({ topic, messages: [{ value: 'after' }] });
      await eventually(
        'the record sent after the rejoin',
        async () => received,
        (values) => values.includes('after'),
        15_000,
      );
      expect(received.filter((value) => value === 'before').length).toBeGreaterThanOrEqual(1);
    } finally {
      await producer.disconnect();
    }
  });
});
