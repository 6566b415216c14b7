import { Kafka, KafkaMessage } from 'kafkajs';
import {
  connectedProducer,
  consumeUntil,
  createTestTopics,
  testKafkaClient,
  uniqueTopicPrefix,
} from '../../../../test/kafka/kafka-test.helpers';
import type { KafkaLogger } from '../kafka-logger';
import type { TransactionOutput } from './kafka-transaction.sink';
import type { Slice, SliceProcessor, TopicPartition } from './partition-pipeline.ports';
import { TransactionalPipeline, transactionalPipeline, TransactionalPipelineOptions } from './transactional-pipeline';

jest.setTimeout(120_000);

const PARTITIONS = 3;
const MESSAGES = 3000;

/** Copies every input message to `output` on the same partition, failing on chosen calls. */
class EchoProcessor implements SliceProcessor<KafkaMessage, TransactionOutput> {
  calls = 0;
  readonly loads: number[][] = [];
  /** When each call of `load` came (Date.now()). */
  readonly loadedAt: number[] = [];
  /** When each call of `process` came (Date.now()) and how many messages it got. */
  readonly handled: { at: number; size: number }[] = [];
  readonly failures: string[] = [];
  /** The latest call of `process` per partition, for the failures inside its transaction. */
  private readonly latestCall = new Map<number, number>();

  constructor(
    private readonly output: string,
    /** Calls of `process` that throw before any transaction starts. */
    private readonly failBefore: Set<number>,
    /** Calls whose transaction is aborted after their records were sent. */
    private readonly failInside: Set<number>,
    /** Calls of `load` that throw (a store that cannot be read, e.g. Postgres down). */
    private readonly failLoads = new Set<number>(),
  ) {}

  async load(partitions: readonly TopicPartition[]): Promise<void> {
    this.loadedAt.push(Date.now());
    if (this.failLoads.has(this.loadedAt.length)) throw new Error(`injected failure of load #${this.loadedAt.length}`);
    this.loads.push(partitions.map((p) => p.partition));
  }

  async process({ partition, records }: Slice<KafkaMessage>): Promise<TransactionOutput> {
    const call = ++this.calls;
    this.latestCall.set(partition, call);
    this.handled.push({ at: Date.now(), size: records.length });
    if (this.failBefore.has(call)) {
      this.failures.push(`before #${call}`);
      throw new Error(`injected failure before transaction #${call}`);
    }
    return { messages: [{ topic: this.output, messages: records.map((m) => ({ partition, key: m.key, value: m.value })) }] };
  }

  /** The sink's hook inside each transaction, its records sent. */
  readonly beforeCommit = (partition: number) => {
    const call = this.latestCall.get(partition)!;
    if (this.failInside.has(call)) {
      this.failures.push(`inside #${call}`);
      throw new Error(`injected failure inside transaction #${call}`);
    }
  };
}

/** An EchoProcessor whose first load takes `slowMs`: a partition state rebuilt on a busy machine. */
class SlowFirstLoad extends EchoProcessor {
  constructor(
    output: string,
    private readonly slowMs: number,
  ) {
    super(output, new Set(), new Set());
  }

  override async load(partitions: readonly TopicPartition[]): Promise<void> {
    if (this.loadedAt.length === 0) await new Promise((resolve) => setTimeout(resolve, this.slowMs));
    await super.load(partitions);
  }
}

const silent: KafkaLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function start(kafka: Kafka, echo: EchoProcessor, options: Omit<TransactionalPipelineOptions, 'processor'>): TransactionalPipeline {
  return transactionalPipeline(kafka, { ...options, processor: echo, beforeCommit: echo.beforeCommit });
}

describe('the transactional partition pipeline against the real broker', () => {
  let kafka: Kafka;
  let pipeline: TransactionalPipeline | undefined;

  beforeAll(() => {
    kafka = testKafkaClient('transactional-processor-int-spec');
  });

  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it('after failed transactions resumes each partition at its committed offset: every input once in the output, in order', async () => {
    const prefix = uniqueTopicPrefix('txproc');
    const [input, output] = [`${prefix}in`, `${prefix}out`];
    await createTestTopics(kafka, [
      { topic: input, numPartitions: PARTITIONS },
      { topic: output, numPartitions: PARTITIONS },
    ]);
    // Small transactions so that several fail while later messages are already queued.
    const echo = new EchoProcessor(output, new Set([4, 11, 19]), new Set([7, 15, 23]));
    pipeline = start(kafka, echo, {
      groupId: `${prefix}group`,
      inputTopic: input,
      transactionalIdPrefix: `${prefix}tx`,
      maxMessagesPerTransaction: 50,
      partitionsConcurrently: PARTITIONS,
      logger: silent,
    });
    await pipeline.start();

    const producer = await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
    for (let start = 0; start < MESSAGES; start += 300) {
      await producer.send({
        topic: input,
        acks: -1,
        messages: Array.from({ length: 300 }, (_, i) => ({ partition: (start + i) % PARTITIONS, value: String(start + i) })),
      });
    }
    await producer.disconnect();

    const echoed = await consumeUntil(kafka, { topic: output, timeoutMs: 90_000, isComplete: (read) => read.length >= MESSAGES });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const late = await consumeUntil(kafka, { topic: output, timeoutMs: 30_000, isComplete: (read) => read.length >= echoed.length });

    expect(echo.failures).toHaveLength(6);
    // Each failure forgot its partition, whose next batch loaded it again.
    expect(echo.loads.flat().length).toBeGreaterThanOrEqual(PARTITIONS + 6);
    const values = late.map((m) => Number(m.value));
    expect(values).toHaveLength(MESSAGES);
    expect(new Set(values).size).toBe(MESSAGES);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const own = late.filter((m) => m.partition === partition).map((m) => Number(m.value));
      expect(own.every((value) => value % PARTITIONS === partition)).toBe(true);
      expect(own).toEqual([...own].sort((a, b) => a - b));
    }
  });

  it('backs a failing partition off, doubling up to the bound, and starts over after a commit', async () => {
    const prefix = uniqueTopicPrefix('txbackoff');
    const [input, output] = [`${prefix}in`, `${prefix}out`];
    await createTestTopics(kafka, [
      { topic: input, numPartitions: 1 },
      { topic: output, numPartitions: 1 },
    ]);
    // Loads 1-2 fail, then transactions 1-3 (5 failures in a row); transaction 5 fails after the commit of 4.
    const echo = new EchoProcessor(output, new Set([1, 2, 3, 5]), new Set(), new Set([1, 2]));
    const backoff = { initialMs: 200, maxMs: 800 };
    pipeline = start(kafka, echo, {
      groupId: `${prefix}group`,
      inputTopic: input,
      transactionalIdPrefix: `${prefix}tx`,
      maxMessagesPerTransaction: 100,
      partitionsConcurrently: 1,
      retryBackoff: backoff,
      logger: silent,
    });
    await pipeline.start();
    const producer = await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
    await producer.send({ topic: input, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: String(i) })) });
    await consumeUntil(kafka, { topic: output, timeoutMs: 30_000, isComplete: (read) => read.length >= 10 });
    await producer.send({
      topic: input,
      acks: -1,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: String(10 + i) })),
    });
    await producer.disconnect();
    const echoed = await consumeUntil(kafka, { topic: output, timeoutMs: 30_000, isComplete: (read) => read.length >= 20 });

    expect(echoed.map((m) => Number(m.value))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Attempts in time order: load 1 (fails), load 2 (fails), load 3, process 1 (fails), load 4,
    // process 2 (fails), load 5, process 3 (fails), load 6, process 4 (commits), process 5 (fails), load 7, process 6.
    const [l1, l2, l3, l4, l5, l6, l7] = echo.loadedAt;
    const [h1, h2, h3, , h5] = echo.handled.map((call) => call.at);
    const waits = {
      afterLoad1: l2 - l1,
      afterLoad2: l3 - l2,
      afterHandle1: l4 - h1,
      afterHandle2: l5 - h2,
      afterHandle3: l6 - h3,
      afterHandle5: l7 - h5,
    };
    process.stdout.write(`back-off waits (ms): ${JSON.stringify(waits)}\n`);
    expect(echo.loadedAt).toHaveLength(7);
    expect(waits.afterLoad1).toBeGreaterThanOrEqual(190);
    expect(waits.afterLoad2).toBeGreaterThanOrEqual(390);
    expect(waits.afterHandle1).toBeGreaterThanOrEqual(790);
    expect(waits.afterHandle2).toBeGreaterThanOrEqual(790);
    expect(waits.afterHandle3).toBeGreaterThanOrEqual(790);
    expect(waits.afterHandle3).toBeLessThan(2000);
    // The commit of transaction 4 reset the count: the next failure waits the initial 200 ms again.
    expect(waits.afterHandle5).toBeGreaterThanOrEqual(190);
    expect(waits.afterHandle5).toBeLessThan(790);
  });

  async function lingering(lingerMs: number, maxMessagesPerTransaction: number) {
    const prefix = uniqueTopicPrefix('txlinger');
    const [input, output] = [`${prefix}in`, `${prefix}out`];
    await createTestTopics(kafka, [
      { topic: input, numPartitions: 1 },
      { topic: output, numPartitions: 1 },
    ]);
    const echo = new EchoProcessor(output, new Set(), new Set());
    pipeline = start(kafka, echo, {
      groupId: `${prefix}group`,
      inputTopic: input,
      transactionalIdPrefix: `${prefix}tx`,
      maxMessagesPerTransaction,
      lingerMs,
      partitionsConcurrently: 1,
      logger: silent,
    });
    await pipeline.start();
    return { input, output, echo, producer: await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 }) };
  }

  it("starts a partition's transactions at least lingerMs apart under a trickle, and loses nothing", async () => {
    const { input, output, echo, producer } = await lingering(400, 1000);
    for (let i = 0; i < 40; i++) {
      await producer.send({ topic: input, acks: -1, messages: [{ partition: 0, value: String(i) }] });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await producer.disconnect();
    const echoed = await consumeUntil(kafka, { topic: output, timeoutMs: 30_000, isComplete: (read) => read.length >= 40 });

    expect(echoed.map((m) => Number(m.value))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const gaps = echo.handled.slice(1).map((call, i) => call.at - echo.handled[i].at);
    // 40 messages over >2 s: without the linger each would go in its own transaction.
    expect(echo.handled.length).toBeLessThanOrEqual(10);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(390);
  });

  it('writes a record reaching an idle partition at once, and the next one lingerMs after it', async () => {
    const { input, output, echo, producer } = await lingering(10_000, 1000);
    const sentAt = Date.now();
    await producer.send({ topic: input, acks: -1, messages: [{ partition: 0, value: 'first' }] });
    for (const deadline = Date.now() + 9_000; echo.handled.length === 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await producer.send({ topic: input, acks: -1, messages: [{ partition: 0, value: 'second' }] });
    await producer.disconnect();
    const echoed = await consumeUntil(kafka, { topic: output, timeoutMs: 30_000, isComplete: (read) => read.length >= 2 });

    expect(echoed.map((m) => String(m.value))).toEqual(['first', 'second']);
    expect(echo.handled).toHaveLength(2);
    // Waiting for company from the first record would have taken 10 s.
    expect(echo.handled[0].at - sentAt).toBeLessThan(5_000);
    expect(echo.handled[1].at - echo.handled[0].at).toBeGreaterThanOrEqual(9_990);
  });

  it('does not linger when a full transaction is queued', async () => {
    const { input, output, echo, producer } = await lingering(10_000, 10);
    await producer.send({ topic: input, acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ partition: 0, value: String(i) })) });
    await producer.disconnect();
    // Ten transactions 10 s apart would take 90 s.
    const echoed = await consumeUntil(kafka, { topic: output, timeoutMs: 20_000, isComplete: (read) => read.length >= 100 });

    expect(echoed).toHaveLength(100);
    expect(echo.handled.every((call) => call.size <= 10)).toBe(true);
  });

  it('keeps its group membership through a partition load longer than the session (heartbeats while it waits)', async () => {
    const prefix = uniqueTopicPrefix('txslowload');
    const [input, output] = [`${prefix}in`, `${prefix}out`];
    await createTestTopics(kafka, [
      { topic: input, numPartitions: 1 },
      { topic: output, numPartitions: 1 },
    ]);
    // 6 s session (PROCESSOR_SESSION_TIMEOUT_MS): a load of 10 s without heartbeats got the member evicted.
    const echo = new SlowFirstLoad(output, 10_000);
    pipeline = start(kafka, echo, {
      groupId: `${prefix}group`,
      inputTopic: input,
      transactionalIdPrefix: `${prefix}tx`,
      maxMessagesPerTransaction: 100,
      partitionsConcurrently: 1,
      logger: silent,
    });
    let joins = 0;
    pipeline.groupConsumer.on(pipeline.groupConsumer.events.GROUP_JOIN, () => joins++);
    await pipeline.start();
    const producer = await connectedProducer(kafka, { idempotent: true, maxInFlightRequests: 1 });
    await producer.send({ topic: input, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: String(i) })) });
    await producer.disconnect();
    const echoed = await consumeUntil(kafka, { topic: output, timeoutMs: 60_000, isComplete: (read) => read.length >= 10 });

    expect(echoed.map((m) => Number(m.value))).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // One join, one load: no eviction, no rejoin, no second load of the partition.
    expect(joins).toBe(1);
    expect(echo.loadedAt).toHaveLength(1);
  });
});

describe('the transactional partition pipeline: fencing', () => {
  let kafka: Kafka;
  let pipeline: TransactionalPipeline | undefined;

  beforeAll(() => {
    kafka = testKafkaClient('transactional-processor-fencing-int-spec');
  });

  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it('fences the previous owner of a partition before the processor loads it: the old owner can no longer commit', async () => {
    const prefix = uniqueTopicPrefix('txfence');
    const [input, output] = [`${prefix}in`, `${prefix}out`];
    await createTestTopics(kafka, [
      { topic: input, numPartitions: 1 },
      { topic: output, numPartitions: 1 },
    ]);
    const groupId = `${prefix}group`;
    // The old owner of partition 0 (same transactional id) has a transaction open with output
    // and the consumer offset in it, as a processor that lost the partition mid-transaction.
    const zombie = kafka.producer({ transactionalId: `${prefix}tx-0`, idempotent: true, maxInFlightRequests: 1, retry: { retries: 1 } });
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic: output, acks: -1, messages: [{ partition: 0, value: 'from the old owner' }] });
    await open.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '5' }] }] });

    const echo = new EchoProcessor(output, new Set(), new Set());
    let loaded!: () => void;
    const firstLoad = new Promise<void>((resolve) => (loaded = resolve));
    const assigned = echo.load.bind(echo);
    echo.load = async (partitions) => {
      await assigned(partitions);
      loaded();
    };
    pipeline = start(kafka, echo, {
      groupId,
      inputTopic: input,
      transactionalIdPrefix: `${prefix}tx`,
      maxMessagesPerTransaction: 50,
      partitionsConcurrently: 1,
      logger: silent,
    });
    await pipeline.start();
    await firstLoad;

    // Without fencing before the load, this commit would land after the new owner read the
    // committed offset and its state: its commands would be processed twice.
    await expect(open.commit()).rejects.toThrow();
    await zombie.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [input] });
    await admin.disconnect();
    expect(offsets.partitions.find((p) => p.partition === 0)?.offset).toBe('-1');
  });
});
