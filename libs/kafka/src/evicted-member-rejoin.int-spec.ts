import { randomUUID } from 'node:crypto';
import { Consumer, Kafka } from 'kafkajs';
import { connectedProducer, createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../../../test/kafka/kafka-test.helpers';
import { eventually } from '../../../test/ops/support/eventually';
import { installEvictedMemberRejoin } from './evicted-member-rejoin';

jest.setTimeout(90_000);

// KafkaJS's internals: the Broker class every coordinator request goes through, and its error codes.
const Broker = require('kafkajs/src/broker') as { prototype: { joinGroup: (request: { groupId: string }) => Promise<unknown> } };
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error };
/**
 * Errors of a JoinGroup on which KafkaJS's join gives up at once (anything but a rebalance or
 * UNKNOWN_MEMBER_ID): a coordinator loading the group, or not (yet) its coordinator.
 */
const REFUSALS: [string, number][] = [
  ['GROUP_LOAD_IN_PROGRESS', 14],
  ['COORDINATOR_NOT_AVAILABLE', 15],
];

const SESSION_TIMEOUT_MS = 6_000;

describe('a KafkaJS consumer evicted from its group whose first rejoin is refused', () => {
  let kafka: Kafka;
  /** A topic of its own per case: a consumer reading from the beginning must not see another case's records. */
  let topics: Map<number, string>;
  const consumers: Consumer[] = [];
  const kafkajsJoinGroup = Broker.prototype.joinGroup;

  beforeAll(async () => {
    // The client factory installs the guard, as for every client of the service.
    kafka = testKafkaClient('evicted-member-rejoin');
    const prefix = uniqueTopicPrefix('evicted-member');
    topics = new Map(REFUSALS.map(([, code]) => [code, `${prefix}in-${code}`]));
    await createTestTopics(
      kafka,
      [...topics.values()].map((topic) => ({ topic, numPartitions: 1 })),
    );
  });

  afterEach(() => {
    Broker.prototype.joinGroup = kafkajsJoinGroup;
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [...topics.values()] });
    await admin.disconnect();
  });

  it.each(REFUSALS)(
    'refused with %s, joins again and consumes as a member, instead of fetching for ever with no member id',
    async (_name, code) => {
      expect(installEvictedMemberRejoin()).toBe(true);
      const topic = topics.get(code)!;
      const groupId = `${topic}.group.${randomUUID().slice(0, 8)}`;
      const consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_TIMEOUT_MS, rebalanceTimeout: 10_000, heartbeatInterval: 500 });
      consumers.push(consumer);
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
          // The member comes back to a coordinator loading the group again, or not its coordinator yet: its first JoinGroup is refused.
          let refused = false;
          Broker.prototype.joinGroup = async function (this: unknown, request: { groupId: string }) {
            if (!refused && request.groupId === groupId) {
              refused = true;
              throw createErrorFromCode(code);
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
    },
  );
});
