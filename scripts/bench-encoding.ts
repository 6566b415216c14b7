/**
 * `npm run bench:encoding`: CPU per command of encoding the command processor's produce request
 * (no broker, one process): a transaction's events and results, two records per command with
 * the processor's headers, through KafkaJS's request framing. Three encoders, in turns:
 * - `kafkajs`: KafkaJS 2.2.4 as published (its record encoder and its request assembly);
 * - `recordsOnly`: this project's record encoder inside KafkaJS's request assembly;
 * - `installed`: what the client factory installs (the whole request body in one buffer, its
 *   CRC-32C eight bytes a step).
 * Every encoder's bytes are checked equal first. The last line is one JSON object.
 *
 * Environment: BENCH_ENCODING_COMMANDS (per request, 600), BENCH_ENCODING_REQUESTS (per turn,
 * 200), BENCH_ENCODING_ROUNDS (3).
 */
import { crc32c } from '../libs/kafka/src/crc32c';
import { installRecordEncoding, ProduceRequest } from '../libs/kafka/src/record-encoding';

const COMMANDS = Number(process.env.BENCH_ENCODING_COMMANDS ?? 600);
const REQUESTS = Number(process.env.BENCH_ENCODING_REQUESTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ENCODING_ROUNDS ?? 3);

type Produce = (request: ProduceRequest) => { encode(): Promise<unknown> };
type Frame = (request: { correlationId: number; clientId: string; request: unknown }) => Promise<{ buffer: Buffer }>;

// KafkaJS's internals, as record-encoding.ts reaches them.
const producePath = require.resolve('kafkajs/src/protocol/requests/produce/v3/request');
if (require.cache[producePath]) throw new Error('the produce request was loaded before the bench could take KafkaJS’s own');
const kafkajs = require(producePath) as Produce;
delete require.cache[producePath];
if (!installRecordEncoding(crc32c)) throw new Error('installRecordEncoding did not install (KafkaJS changed shape?)');
const installed = require(producePath) as Produce;
const wrapper = require.cache[producePath];
delete require.cache[producePath];
const recordsOnly = require(producePath) as Produce;
require.cache[producePath] = wrapper;
const frame = require('kafkajs/src/protocol/request') as Frame;
const Long = require('kafkajs/src/utils/long') as { fromValue(value: unknown): unknown };

const id = (i: number) => `0f1e2d3c-4b5a-4978-8695-${String(i).padStart(12, '0')}`;
const at = new Date('2026-12-04T10:00:00.000Z').toISOString();
const event = (i: number) => ({
  key: id(i % 50),
  value: JSON.stringify({
    eventId: id(i),
    type: 'CheckRecorded',
    schemaVersion: 1,
    tenantId: id(i % 50),
    aggregateId: id(i % 500),
    aggregateType: 'Monitor',
    version: i,
    commandId: id(i + 1),
    correlationId: id(i + 1),
    occurredAt: at,
    payload: { checkId: id(i + 2), status: 'up', responseTimeMs: 123, region: 'eu-west-1', checkedAt: at },
  }),
  headers: { type: 'CheckRecorded', schemaVersion: '1', eventId: id(i), correlationId: id(i + 1) },
});
const result = (i: number) => ({
  key: id(i % 50),
  value: JSON.stringify({
    commandId: id(i + 1),
    correlationId: id(i + 1),
    tenantId: id(i % 50),
    type: 'RecordCheckResult',
    status: 'accepted',
    aggregateId: id(i % 500),
    version: i,
    position: 'djEuMy4xMjM0NTYuNzg5MDEy',
    processedAt: at,
  }),
  headers: { correlationId: id(i + 1) },
});
const request: ProduceRequest = {
  acks: -1,
  timeout: 30000,
  transactionalId: 'vinsight-command-processor-3',
  producerId: Long.fromValue(4000),
  producerEpoch: 1,
  topicData: [
    {
      topic: 'vinsight.check-events',
      partitions: [{ partition: 3, firstSequence: 10, messages: Array.from({ length: COMMANDS }, (_, i) => event(i)) }],
    },
    {
      topic: 'vinsight.command-results',
      partitions: [{ partition: 3, firstSequence: 10, messages: Array.from({ length: COMMANDS }, (_, i) => result(i)) }],
    },
  ],
};

const encoders = { kafkajs, recordsOnly, installed };
type Name = keyof typeof encoders;
const encode = (name: Name, correlationId: number) => frame({ correlationId, clientId: 'bench', request: encoders[name](request) });

async function cpuUsPerCommand(name: Name): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) await encode(name, i);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / REQUESTS / COMMANDS;
}

async function main() {
  // The batches carry Date.now(): the three encoders must agree on it for the comparison.
  const now = Date.now;
  Date.now = () => 1_764_842_400_000;
  const bytes = await Promise.all((Object.keys(encoders) as Name[]).map((name) => encode(name, 1).then((e) => e.buffer)));
  Date.now = now;
  if (!bytes.every((b) => b.equals(bytes[0]))) throw new Error('the encoders wrote different bytes');
  const names = Object.keys(encoders) as Name[];
  for (const name of names) for (let i = 0; i < 20; i++) await encode(name, i); // warm-up
  const runs: Record<Name, number[]> = { kafkajs: [], recordsOnly: [], installed: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) runs[name].push(await cpuUsPerCommand(name));
    process.stdout.write(`round ${round + 1}: ${names.map((n) => `${n} ${runs[n][round].toFixed(2)} µs`).join(', ')} per command\n`);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const usPerCommand = Object.fromEntries(names.map((n) => [n, Number(median(runs[n]).toFixed(2))])) as Record<Name, number>;
  process.stdout.write(
    JSON.stringify({
      bench: 'encoding',
      commands: COMMANDS,
      requestBytes: bytes[0].length,
      rounds: ROUNDS,
      usPerCommand,
      installedVsKafkajs: Number((usPerCommand.installed / usPerCommand.kafkajs).toFixed(3)),
      installedVsRecordsOnly: Number((usPerCommand.installed / usPerCommand.recordsOnly).toFixed(3)),
    }) + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
