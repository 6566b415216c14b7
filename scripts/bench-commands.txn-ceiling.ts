/**
 * The exactly-once ceiling of `npm run bench:commands`, run as its own process as the processor
 * is: the bare exactly-once loop (bench-exactly-once-loop.ts) over the bench's commands. Per consumed
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
// @vinsight/kafka before KafkaJS, as in the service: it replaces KafkaJS's partition grouping.
import { createKafkaClient, topicNames } from '@vinsight/kafka';
import { logLevel } from 'kafkajs';
import { runExactlyOnceLoop, stderrKafkaLogger } from './bench-exactly-once-loop';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const PREFIX = process.env.BENCH_CEILING_PREFIX ?? 'bench.ceiling.';
const PARTITIONS = Number(process.env.BENCH_CEILING_PARTITIONS ?? 12);
const MAX_PER_TRANSACTION = Number(process.env.BENCH_CEILING_MAX_PER_TRANSACTION ?? 1000);
const LINGER_MS = Number(process.env.BENCH_CEILING_LINGER_MS ?? 50);

async function main(): Promise<void> {
  const topics = topicNames(PREFIX);
  // The processor's mapping of KafkaJS's lines: a broker's routine retriable answers (a transaction's
  // markers still being written when the next one adds its partitions) are not errors.
  const kafka = createKafkaClient(
    { brokers: BROKERS, clientId: `${PREFIX}ceiling` },
    { logLevel: logLevel.WARN, logger: stderrKafkaLogger },
  );
  const stop = await runExactlyOnceLoop({
    kafka,
    groupId: `${PREFIX}ceiling`,
    transactionalIdPrefix: `${PREFIX}ceiling-`,
    inputTopic: topics.commands,
    partitions: PARTITIONS,
    maxPerTransaction: MAX_PER_TRANSACTION,
    lingerMs: LINGER_MS,
    maxWaitTimeInMs: 20,
    onJoined: () => process.stdout.write('joined\n'),
    output: (partition, messages) => [
      { topic: topics.events, messages: messages.map((message) => ({ key: message.key, partition, value: message.value })) },
      {
        topic: topics.commandResults,
        messages: messages.map((message) => {
          const command = JSON.parse(message.value!.toString('utf8')) as { commandId: string; tenantId: string };
          return {
            key: message.key,
            partition,
            value: JSON.stringify({ commandId: command.commandId, tenantId: command.tenantId, status: 'accepted' }),
          };
        }),
      },
    ],
  });
  const exit = () => void stop().finally(() => process.exit(0));
  process.once('SIGTERM', exit);
  process.once('SIGINT', exit);
}

main().catch((error: unknown) => {
  process.stderr.write(`txn ceiling failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
