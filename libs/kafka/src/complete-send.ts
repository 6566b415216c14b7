import { Kafka, Message, Partitioners, Producer, ProducerConfig, RecordMetadata } from 'kafkajs';

/**
 * KafkaJS (2.2.4) can resolve a send that wrote only part of its records. One send makes one
 * produce request per partition leader and, when one fails, retries with only the brokers that
 * have not answered yet (kafkajs/src/producer/sendMessages.js, `brokersWithoutResponse`). When a
 * leader died, its partitions move to brokers that already answered for their own partitions,
 * so their records are never sent again, and the send resolves as if they had been written.
 * Every partition a send did write answers with its RecordMetadata: one that did not answer is
 * one whose records were dropped.
 */
export function unacknowledgedPartitions(
  sent: Iterable<{ topic: string; partition: number }>,
  acknowledged: readonly RecordMetadata[],
): { topic: string; partition: number }[] {
  const answered = new Set(acknowledged.map((record) => `${record.topicName}:${record.partition}`));
  const missing = new Map<string, { topic: string; partition: number }>();
  for (const { topic, partition } of sent) {
    const key = `${topic}:${partition}`;
    if (!answered.has(key)) missing.set(key, { topic, partition });
  }
  return [...missing.values()];
}

/** How often the records of dropped partitions are sent again before the send fails. */
const MAX_RESENDS = 10;

/**
 * An idempotent producer (acks=all, one request in flight) whose `send` resolves only once every
 * record was written: the records KafkaJS dropped after a leader change (see
 * `unacknowledgedPartitions`) are sent again, to the partition they were meant for. Records are
 * partitioned by KafkaJS's default partitioner (murmur2 of the key, as Java clients do).
 */
export class CompleteSender {
  readonly producer: Producer;
  /** The partition the partitioner chose for each message object of a send in progress. */
  private readonly assigned = new WeakMap<Message, number>();

  constructor(kafka: Kafka, config: Omit<ProducerConfig, 'idempotent' | 'maxInFlightRequests' | 'createPartitioner'> = {}) {
    this.producer = kafka.producer({
      ...config,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: () => {
        const partition = Partitioners.DefaultPartitioner();
        return (args) => {
          const chosen = partition(args);
          this.assigned.set(args.message, chosen);
          return chosen;
        };
      },
    });
  }

  async send(topic: string, messages: Message[]): Promise<void> {
    let pending = messages;
    for (let resends = 0; ; resends++) {
      const acknowledged = await this.producer.send({ topic, acks: -1, messages: pending });
      const partitionOf = (message: Message) => message.partition ?? this.assigned.get(message)!;
      const missing = new Set(
        unacknowledgedPartitions(
          pending.map((message) => ({ topic, partition: partitionOf(message) })),
          acknowledged,
        ).map((p) => p.partition),
      );
      if (missing.size === 0) return;
      if (resends === MAX_RESENDS)
        throw new Error(`${topic}: partitions ${[...missing].join(', ')} were not written after ${resends} resends`);
      // Pinned: a message's partition must not change between attempts, whatever the metadata says.
      pending = pending
        .filter((message) => missing.has(partitionOf(message)))
        .map((message) => ({ ...message, partition: partitionOf(message) }));
    }
  }
}
