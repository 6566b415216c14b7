import { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { BrokerOutageProxy } from '../../../../test/kafka/broker-outage.proxy';
import { connectedProducer, createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../../../../test/kafka/kafka-test.helpers';
import type { KafkaLogger } from '../kafka-logger';
import { PartitionPipeline } from './partition-pipeline';
import { PartitionSink, Slice, topicPartitionKey, TopicPartition, WriteReceipt } from './partition-pipeline.ports';

jest.setTimeout(120_000);

const PARTITIONS = 2;
const PER_ROUND = 200;

/** Keeps every written record's value and each partition's position, as a database would. */
class MemorySink implements PartitionSink<KafkaMessage, Slice<KafkaMessage>> {
  readonly positions = 'sink' as const;
  readonly writesEmptySlices = false;
  readonly written: string[] = [];
  private readonly stored = new Map<string, bigint>();

  async load(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, bigint>> {
    const keys = partitions.map((p) => topicPartitionKey(p.topic, p.partition));
    return new Map(keys.filter((key) => this.stored.has(key)).map((key) => [key, this.stored.get(key)!]));
  }

  async write(slice: Slice<KafkaMessage>): Promise<WriteReceipt> {
    for (const record of slice.records) this.written.push(record.value!.toString());
    const nextOffset = slice.lastOffset + 1n;
    this.stored.set(topicPartitionKey(slice.topic, slice.partition), nextOffset);
    return { nextOffset };
  }
}

function recordingLogger(lines: string[]): KafkaLogger {
  const record = (_context: unknown, message: string) => void lines.push(message);
  return { error: record, warn: record, info: () => undefined, debug: () => undefined };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a consumer stalled inside KafkaJS (requests that are never answered)', () => {
  let kafka: Kafka;
  let proxy: BrokerOutageProxy;
  let topic: string;
  const pipelines: PartitionPipeline<KafkaMessage, Slice<KafkaMessage>>[] = [];

  beforeAll(async () => {
    kafka = testKafkaClient('stalled-consumer-int-spec');
    topic = `${uniqueTopicPrefix('stalled-consumer')}in`;
    await createTestTopics(kafka, [{ topic, numPartitions: PARTITIONS }]);
    proxy = await BrokerOutageProxy.start();
  });

  afterAll(async () => {
    await Promise.all(pipelines.map((pipeline) => pipeline.stop()));
    await proxy.stop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  async function produceRound(round: number): Promise<void> {
    const producer = await connectedProducer(kafka);
    const messages = Array.from({ length: PER_ROUND }, (_, i) => ({ key: `k${i % 7}`, value: `r${round}-${i}` }));
    await producer.send({ topic, messages, acks: -1 });
    await producer.disconnect();
  }

  const valuesOf = (...rounds: number[]) => rounds.flatMap((round) => Array.from({ length: PER_ROUND }, (_, i) => `r${round}-${i}`)).sort();

  /** A pipeline of a group of its own whose consumer's connections all go through the proxy. */
  function proxiedPipeline(group: string, stallTimeoutMs: number, requestTimeout?: number) {
    const sink = new MemorySink();
    const logLines: string[] = [];
    const replacements: Consumer[] = [];
    const client = proxy.client(`stalled-consumer-${group}`, { retries: 2, initialRetryTime: 100, maxRetryTime: 500 }, requestTimeout);
    const pipeline = new PartitionPipeline<KafkaMessage, Slice<KafkaMessage>>(client, {
      groupId: `${topic}.${group}`,
      topics: [topic],
      consumer: { maxWaitTimeInMs: 50, sessionTimeout: 6000, rebalanceTimeout: 10000, heartbeatInterval: 500 },
      partitionsConsumedConcurrently: PARTITIONS,
      decode: (_partition, message) => message,
      offsetOf: (message) => BigInt(message.offset),
      processor: { process: async (slice) => slice },
      sink,
      maxSliceRecords: 100,
      drainOnStop: 'in-flight',
      logger: recordingLogger(logLines),
      stallTimeoutMs,
    });
    pipeline.onConsumerReplaced((consumer) => replacements.push(consumer));
    pipelines.push(pipeline);
    const log = () => logLines.join(' | ');
    return { pipeline, sink, logLines, replacements, log };
  }

  it('is replaced: a new consumer takes the partitions over and nothing is lost or written twice', async () => {
    // The stalled consumer's requests would time out only after 10 minutes: long past this test.
    const { pipeline, sink, logLines, replacements, log } = proxiedPipeline('frozen', 5000, 600_000);
    const first = pipeline.groupConsumer;
    await produceRound(1);
    await pipeline.start();
    await waitFor(
      () => sink.written.length === PER_ROUND,
      30_000,
      () => `first round: ${sink.written.length} written`,
    );

    proxy.freezeExisting();
    const frozenAt = Date.now();
    await produceRound(2);
    await waitFor(
      () => sink.written.length === 2 * PER_ROUND,
      60_000,
      () => `second round: ${sink.written.length} written, log: ${log()}`,
    );

    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(5000);
    expect(replacements).toHaveLength(1);
    expect(pipeline.groupConsumer).toBe(replacements[0]);
    expect(pipeline.groupConsumer).not.toBe(first);
    expect(logLines.some((line) => /no sign of life .* for \d+ ms: replacing it/.test(line))).toBe(true);
    expect([...sink.written].sort()).toEqual(valuesOf(1, 2));
    expect(pipeline.isJoined).toBe(true);
  });

  it('while the broker cannot be reached, the new consumer is started again until it can', async () => {
    // Longer than the 6 s session: once the broker is back, the new member's join may wait that long
    // for the old member to leave, and a healthy join must not count as a stall.
    const { pipeline, sink, logLines, replacements, log } = proxiedPipeline('unreachable', 8000);
    // KafkaJS restarts a crashed consumer even after it was told to disconnect: the replaced one
    // came back, joined, held partitions nobody consumed and was dismissed again, every few seconds.
    const stalled = pipeline.groupConsumer;
    let joinsAfterReplacement = 0;
    stalled.on(stalled.events.GROUP_JOIN, () => {
      if (replacements.length > 0) joinsAfterReplacement += 1;
    });
    const before = sink.written.length;
    await pipeline.start();
    await waitFor(
      () => sink.written.length - before === 2 * PER_ROUND,
      30_000,
      () => `rounds 1 and 2: ${sink.written.length} written`,
    );

    await proxy.kill();
    await waitFor(
      () => logLines.some((line) => line.startsWith('starting the new consumer')),
      30_000,
      () => `no failed start of a new consumer, log: ${log()}`,
    );
    await produceRound(3);
    await proxy.restart();
    await waitFor(
      () => sink.written.length === 3 * PER_ROUND,
      60_000,
      () => `third round: ${sink.written.length} written, log: ${log()}`,
    );

    expect(replacements).toHaveLength(1);
    expect([...sink.written].sort()).toEqual(valuesOf(1, 2, 3));
    expect(pipeline.isJoined).toBe(true);
    // Long enough for KafkaJS to have restarted the replaced consumer after its last crash and rejoined (it did within a second).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(joinsAfterReplacement).toBe(0);
  });
});
