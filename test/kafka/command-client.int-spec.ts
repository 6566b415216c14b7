import { randomUUID } from 'node:crypto';
import { CommandClient, topicNames } from '@vinsight/kafka';
import { Kafka } from 'kafkajs';
import { connectedProducer, createTestTopics, testKafkaClient, uniqueTopicPrefix } from './kafka-test.helpers';

describe('CommandClient on a busy results topic', () => {
  const topics = topicNames(uniqueTopicPrefix('command-client'));
  let kafka: Kafka;
  let client: CommandClient;

  beforeAll(async () => {
    kafka = testKafkaClient('command-client-test');
    await createTestTopics(kafka, [
      { topic: topics.commands, numPartitions: 1 },
      { topic: topics.commandResults, numPartitions: 1 },
    ]);
    client = await CommandClient.connect(kafka, topics, { rememberResults: 3 });
  });

  afterAll(async () => {
    await client?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topics.commands, topics.commandResults] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('keeps the results of the most recent command ids only, and still hands a waiter its own', async () => {
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const waited = client.waitFor(ids[0]);
    const producer = await connectedProducer(kafka);
    try {
      await producer.send({
        topic: topics.commandResults,
        messages: ids.map((commandId) => ({ key: null, value: JSON.stringify({ commandId, status: 'accepted', duplicate: false }) })),
      });
    } finally {
      await producer.disconnect();
    }
    expect(await waited).toEqual([{ commandId: ids[0], status: 'accepted', duplicate: false }]);
    await client.waitFor(ids[5]);
    expect(ids.map((id) => client.resultsOf(id).length)).toEqual([0, 0, 0, 1, 1, 1]);
  });
});

describe('CommandClient consumer group', () => {
  const topics = topicNames(uniqueTopicPrefix('command-client-group'));
  let kafka: Kafka;

  const groupIds = async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.listGroups()).groups.map((group) => group.groupId);
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    kafka = testKafkaClient('command-client-group-test');
    await createTestTopics(kafka, [
      { topic: topics.commands, numPartitions: 1 },
      { topic: topics.commandResults, numPartitions: 1 },
    ]);
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topics.commands, topics.commandResults] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('joins the group it is given and deletes it on disconnect when asked to', async () => {
    const groupId = `command-client-test.cli.${randomUUID()}`;
    const client = await CommandClient.connect(kafka, topics, { groupId, deleteGroupOnDisconnect: true });
    expect(client.groupId).toBe(groupId);
    expect(await groupIds()).toContain(groupId);
    await client.disconnect();
    expect(await groupIds()).not.toContain(groupId);
  });

  it('leaves the group behind by default (long-lived callers and tests)', async () => {
    const client = await CommandClient.connect(kafka, topics);
    expect(client.groupId).toMatch(/^vinsight\.command-client\./);
    await client.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await groupIds()).toContain(client.groupId);
      await admin.deleteGroups([client.groupId]);
    } finally {
      await admin.disconnect();
    }
  });
});
