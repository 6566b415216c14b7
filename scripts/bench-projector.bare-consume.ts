/**
 * The transport's ceiling for `bench:projector`: a bare KafkaJS consumer of the same topics, with
 * the projector's fetch settings and read_committed, that JSON.parses every value and does nothing
 * else. Run by bench-projector.ts as its own process, like the projector, so both are timed the
 * same way (from spawn until every record was read).
 *
 * Environment: KAFKA_BROKERS, BARE_TOPICS (comma-separated), BARE_EXPECTED (records to read),
 * BARE_GROUP_ID, BARE_MAX_BYTES_PER_PARTITION, BARE_MAX_BYTES, BARE_PARTITIONS_CONCURRENTLY.
 * Prints one JSON line when done: records, values parsed, bytes, seconds since the consumer
 * started connecting, CPU seconds.
 */
import { Kafka, logLevel, SASLOptions } from 'kafkajs';
import { loadKafkaSecurity } from '@vinsight/config';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

async function main(): Promise<void> {
  const expected = Number(env('BARE_EXPECTED'));
  const { ssl, sasl } = loadKafkaSecurity();
  const kafka = new Kafka({
    brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','),
    ssl,
    sasl: sasl as SASLOptions | undefined,
    clientId: env('BARE_GROUP_ID'),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: env('BARE_GROUP_ID'),
    readUncommitted: false,
    maxBytesPerPartition: Number(env('BARE_MAX_BYTES_PER_PARTITION', String(256 * 1024))),
    maxBytes: Number(env('BARE_MAX_BYTES', String(8 * 1024 * 1024))),
    maxWaitTimeInMs: 100,
  });
  const started = performance.now();
  let records = 0;
  let parsed = 0;
  let bytes = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await consumer.connect();
  await consumer.subscribe({ topics: env('BARE_TOPICS').split(','), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: Number(env('BARE_PARTITIONS_CONCURRENTLY', '3')),
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        if (message.value !== null) {
          bytes += message.value.length;
          // the parsed value must stay observable, or the engine could skip the work
          if (JSON.parse(message.value.toString('utf8')) !== null) parsed += 1;
        }
      }
      records += batch.messages.length;
      if (records >= expected) finish();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ records, parsed, bytes, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
  await consumer.disconnect();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bare consume failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
