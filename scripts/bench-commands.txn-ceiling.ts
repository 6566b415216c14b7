/**
 * The exactly-once ceiling of `npm run bench:commands`, run as its own process as the processor
 * is: a bare KafkaJS transactional read-process-write loop over the bench's commands. Per consumed
 * command it writes what the processor writes for most commands, one event and one result (the
 * result in the shape the bench's CommandClient reads), and it commits the input offsets in the
 * same transaction, one transactional producer per input partition. The cadence is the
 * processor's: at most BENCH_CEILING_MAX_PER_TRANSACTION commands per transaction, a partition's
 * transactions started no closer than BENCH_CEILING_LINGER_MS apart. No validation, no state, no
 * decisions: what is left is the transport's own cost.
 *
 * Environment: KAFKA_BROKERS, BENCH_CEILING_PREFIX (topics `${prefix}commands` in,
 * `${prefix}events` and `${prefix}command-results` out), BENCH_CEILING_PARTITIONS,
 * BENCH_CEILING_MAX_PER_TRANSACTION, BENCH_CEILING_LINGER_MS. Prints `joined` once it owns its
 * partitions.
 */
import { setTimeout as sleep } from 'node:timers/promises';
// @vinsight/kafka before KafkaJS, as in the service: it replaces KafkaJS's partition grouping.
import { createKafkaClient, KafkaLogger, topicNames } from '@vinsight/kafka';
import { KafkaMessage, logLevel, Partitioners, Producer } from 'kafkajs';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PREFIX = process.env.BENCH_CEILING_PREFIX ?? 'bench.ceiling.';
const PARTITIONS = Number(process.env.BENCH_CEILING_PARTITIONS ?? 12);
const MAX_PER_TRANSACTION = Number(process.env.BENCH_CEILING_MAX_PER_TRANSACTION ?? 1000);
const LINGER_MS = Number(process.env.BENCH_CEILING_LINGER_MS ?? 50);

/** Warnings and errors as JSON lines on stderr; what the mapping lowers to info or debug is dropped. */
const line = (level: string) => (context: Record<string, unknown>, message: string) =>
  process.stderr.write(`${JSON.stringify({ level, message, ...context })}\n`);
const stderrLogger: KafkaLogger = { error: line('error'), warn: line('warn'), info: () => undefined, debug: () => undefined };

async function main(): Promise<void> {
  const topics = topicNames(PREFIX);
  // The processor's mapping of KafkaJS's lines: a broker's routine retriable answers (a transaction's
  // markers still being written when the next one adds its partitions) are not errors.
  const kafka = createKafkaClient({ brokers: BROKERS, clientId: `${PREFIX}ceiling` }, { logLevel: logLevel.WARN, logger: stderrLogger });
  const groupId = `${PREFIX}ceiling`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 2 * 1024 * 1024, maxWaitTimeInMs: 20 });
  const producers = new Map<number, Producer>();
  const lastStartedAt = new Map<number, number>();
  const producerOf = async (partition: number): Promise<Producer> => {
    let producer = producers.get(partition);
    if (!producer) {
      // Every message names its partition; the partitioner is named only to spare KafkaJS's notice about its default.
      producer = kafka.producer({
        transactionalId: `${PREFIX}ceiling-${partition}`,
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
    const wait = (lastStartedAt.get(partition) ?? 0) + LINGER_MS - Date.now();
    if (wait > 0 && messages.length < MAX_PER_TRANSACTION) await sleep(wait);
    lastStartedAt.set(partition, Date.now());
    const events = [];
    const results = [];
    for (const message of messages) {
      const command = JSON.parse(message.value!.toString('utf8')) as { commandId: string; tenantId: string };
      events.push({ key: message.key, partition, value: message.value });
      results.push({
        key: message.key,
        partition,
        value: JSON.stringify({ commandId: command.commandId, tenantId: command.tenantId, status: 'accepted' }),
      });
    }
    const transaction = await (await producerOf(partition)).transaction();
    try {
      await transaction.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: topics.events, messages: events },
          { topic: topics.commandResults, messages: results },
        ],
      });
      const next = (BigInt(messages[messages.length - 1].offset) + 1n).toString();
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: topics.commands, partitions: [{ partition, offset: next }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  };

  consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('joined\n'));
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.commands], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      for (let i = 0; i < batch.messages.length; i += MAX_PER_TRANSACTION)
        await transact(batch.partition, batch.messages.slice(i, i + MAX_PER_TRANSACTION));
    },
  });
  const stop = () => {
    void consumer
      .disconnect()
      .then(() => Promise.all([...producers.values()].map((p) => p.disconnect())))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`txn ceiling failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
