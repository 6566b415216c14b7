import type { KafkaMessage } from 'kafkajs';
import {
  connectedProducer,
  consumeUntil,
  createTestTopics,
  testKafkaClient,
  uniqueTopicPrefix,
} from '../../../../test/kafka/kafka-test.helpers';
import { KafkaTransactionSink } from './kafka-transaction.sink';

jest.setTimeout(60_000);

const input = (offset: number): KafkaMessage => ({
  key: null,
  value: Buffer.from(`in${offset}`),
  offset: String(offset),
  headers: {},
  timestamp: '0',
  attributes: 0,
});

describe('KafkaTransactionSink against the real broker: output not where it was assumed', () => {
  it('aborts the transaction when a topic was written at another offset (records written twice, or another writer), and commits once it is right', async () => {
    const kafka = testKafkaClient('kafka-transaction-sink-int-spec');
    const prefix = uniqueTopicPrefix('txsink');
    const [inputTopic, results] = [`${prefix}in`, `${prefix}results`];
    await createTestTopics(kafka, [
      { topic: inputTopic, numPartitions: 1 },
      { topic: results, numPartitions: 1 },
    ]);
    const sink = new KafkaTransactionSink(kafka, { groupId: `${prefix}group`, inputTopic, transactionalIdPrefix: `${prefix}tx` });
    await sink.start();
    try {
      await sink.load([{ topic: inputTopic, partition: 0 }]);
      // A record the sink's output did not count on: its first result lands at 1, not 0.
      const stray = await connectedProducer(kafka);
      await stray.send({ topic: results, acks: -1, messages: [{ partition: 0, value: 'stray' }] });
      await stray.disconnect();
      const slice = { topic: inputTopic, partition: 0, records: [input(0)], lastOffset: 0n };
      const output = (assumed: bigint) => ({
        messages: [{ topic: results, messages: [{ partition: 0, value: `result assumed at ${assumed}` }] }],
        assumedBaseOffsets: new Map([[results, assumed]]),
      });

      await expect(sink.write(slice, output(0n))).rejects.toThrow(`${results}[0] was written at offset 1, not 0`);
      // The aborted result (offset 1) and its marker (2) come before the next one: 3.
      await expect(sink.write(slice, output(3n))).resolves.toMatchObject({ nextOffset: 1n, nextOutputOffsets: new Map([[results, 5n]]) });

      const seen = await consumeUntil(kafka, { topic: results, isComplete: (messages) => messages.length >= 2 });
      expect(seen.map((m) => m.value)).toEqual(['stray', 'result assumed at 3']);
    } finally {
      await sink.stop();
    }
  });
});
