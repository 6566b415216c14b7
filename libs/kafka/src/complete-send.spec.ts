import type { RecordMetadata } from 'kafkajs';
import { unacknowledgedPartitions } from './complete-send';

const ack = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0, baseOffset: '0' });

describe('unacknowledgedPartitions', () => {
  it('is empty when every partition written to answered', () => {
    const sent = [
      { topic: 'events', partition: 2 },
      { topic: 'results', partition: 2 },
      { topic: 'events', partition: 2 },
    ];
    expect(unacknowledgedPartitions(sent, [ack('results', 2), ack('events', 2)])).toEqual([]);
  });

  it('names each partition KafkaJS dropped once, whatever else answered', () => {
    // What a send across three leaders resolves with when one died and its partitions moved to
    // brokers that had answered already: their own partitions only.
    const sent = [0, 1, 2, 3, 4, 5, 1, 4].map((partition) => ({ topic: 'commands', partition }));
    const acknowledged = [ack('commands', 0), ack('commands', 2), ack('commands', 3), ack('commands', 5), ack('other', 1)];
    expect(unacknowledgedPartitions(sent, acknowledged)).toEqual([
      { topic: 'commands', partition: 1 },
      { topic: 'commands', partition: 4 },
    ]);
  });
});
