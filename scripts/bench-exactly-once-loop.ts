/**
 * The bare exactly-once loop the benches measure the service against (bench-commands.txn-ceiling.ts,
 * bench-e2e.floor.ts): a KafkaJS consumer of `inputTopic` (read_committed) and one transactional
 * producer per input partition; each transaction writes what `output` makes of up to
 * `maxPerTransaction` consumed messages and commits their offsets with it. The cadence is the
 * processor's: a partition's transactions start no closer than `lingerMs` apart unless a full one
 * is waiting. No validation, no state, no decisions.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaLogger } from '@vinsight/kafka';
import { Kafka, KafkaMessage, Message, Partitioners, Producer } from 'kafkajs';

/** Warnings and errors as JSON lines on stderr; what the service's mapping lowers to info or debug is dropped. */
const line = (level: string) => (context: Record<string, unknown>, message: string) =>
  process.stderr.write(`${JSON.stringify({ level, message, ...context })}\n`);
export const stderrKafkaLogger: KafkaLogger = { error: line('error'), warn: line('warn'), info: () => undefined, debug: () => undefined };

export interface ExactlyOnceLoopOptions {
  kafka: Kafka;
  groupId: string;
  /** Prefix of the producers' transactional ids (`${prefix}${partition}`). */
  transactionalIdPrefix: string;
  inputTopic: string;
  partitions: number;
  maxPerTransaction: number;
  lingerMs: number;
  /** How long a fetch may wait for records. */
  maxWaitTimeInMs: number;
  /** The records one transaction writes for a partition's messages, by topic (empty topics are left out). */
  output: (partition: number, messages: KafkaMessage[]) => { topic: string; messages: Message[] }[];
  /** Called when the consumer joins its group. */
  onJoined?: () => void;
}

/** Starts the loop; the answer stops it (the consumer leaves its group, the producers disconnect). */
export async function runExactlyOnceLoop(options: ExactlyOnceLoopOptions): Promise<() => Promise<void>> {
  const { kafka, groupId, maxPerTransaction, lingerMs } = options;
  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    maxBytesPerPartition: 2 * 1024 * 1024,
    maxWaitTimeInMs: options.maxWaitTimeInMs,
  });
  const producers = new Map<number, Producer>();
  const lastStartedAt = new Map<number, number>();
  const producerOf = async (partition: number): Promise<Producer> => {
    let producer = producers.get(partition);
    if (!producer) {
      // Every message names its partition; the partitioner is named only to spare KafkaJS's notice about its default.
      producer = kafka.producer({
        transactionalId: `${options.transactionalIdPrefix}${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      producers.set(partition, producer);
    }
    return producer;
  };
  const transact = async (partition: number, messages: KafkaMessage[]): Promise<void> => {
    const wait = (lastStartedAt.get(partition) ?? 0) + lingerMs - Date.now();
    if (wait > 0 && messages.length < maxPerTransaction) await sleep(wait);
    lastStartedAt.set(partition, Date.now());
    const topicMessages = options.output(partition, messages).filter((t) => t.messages.length > 0);
    const transaction = await (await producerOf(partition)).transaction();
    try {
      await transaction.sendBatch({ acks: -1, topicMessages });
      const next = (BigInt(messages[messages.length - 1].offset) + 1n).toString();
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: options.inputTopic, partitions: [{ partition, offset: next }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  };

  if (options.onJoined) consumer.on(consumer.events.GROUP_JOIN, options.onJoined);
  await consumer.connect();
  await consumer.subscribe({ topics: [options.inputTopic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: options.partitions,
    eachBatch: async ({ batch }) => {
      for (let i = 0; i < batch.messages.length; i += maxPerTransaction)
        await transact(batch.partition, batch.messages.slice(i, i + maxPerTransaction));
    },
  });
  return () => consumer.disconnect().then(() => Promise.all([...producers.values()].map((p) => p.disconnect())).then(() => undefined));
}
