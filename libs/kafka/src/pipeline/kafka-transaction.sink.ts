import type { Kafka, KafkaMessage, Message, Producer, RecordMetadata } from 'kafkajs';
import { unacknowledgedPartitions } from '../complete-send';
import { RenewingAdmin } from '../renewing-admin';
import { PartitionSink, Slice, TopicPartition, topicPartitionKey, WriteReceipt } from './partition-pipeline.ports';

export interface OutputMessages {
  topic: string;
  messages: Message[];
}

/** Offset of the first record each topic-partition gets in a transaction, by topic. */
export type BaseOffsets = ReadonlyMap<string, bigint>;

/** What a slice writes in its Kafka transaction. Every message must name the slice's partition. */
export interface TransactionOutput {
  messages: OutputMessages[];
  /**
   * The offsets the output assumed its first record on these topics would get (the consistency
   * positions of command results name them). The transaction is aborted, and the slice fails, if
   * the broker assigned others: someone else wrote to the partition, which single ownership rules out.
   */
  assumedBaseOffsets?: BaseOffsets;
}

export interface TransactionReceipt extends WriteReceipt {
  /** The offset the next record will get on each topic the transaction wrote (past its commit marker). */
  readonly nextOutputOffsets: BaseOffsets;
}

export interface KafkaTransactionSinkOptions {
  groupId: string;
  inputTopic: string;
  /** Transactional ids are `${transactionalIdPrefix}-${partition}`: one per input partition (KafkaJS's fencing advice). */
  transactionalIdPrefix: string;
  /**
   * Called inside every transaction, its output sent, just before its commit (test-only fault
   * injection). Throwing fails the transaction like any other error.
   */
  beforeCommit?: (partition: number, inputMessages: number) => void;
}

/**
 * Consume-transform-produce with exactly-once effects: a slice's output and the consumer group's
 * next offset are written in ONE Kafka transaction (`sendOffsets`), so positions are the group's
 * committed offsets.
 *
 * One transactional producer per input partition: when a partition moves to another instance,
 * the new owner's first transaction fences the old one, whose next commit then fails; the new
 * owner reads the committed offset only after fencing, when no one else can move it.
 */
export class KafkaTransactionSink implements PartitionSink<KafkaMessage, TransactionOutput, TransactionReceipt> {
  readonly positions = 'kafka-group';
  readonly writesEmptySlices = false;
  private readonly admin: RenewingAdmin;
  private readonly producers = new Map<number, Producer>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaTransactionSinkOptions,
  ) {
    this.admin = new RenewingAdmin(kafka);
  }

  async start(): Promise<void> {
    await this.admin.use(async () => undefined);
  }

  async stop(): Promise<void> {
    await this.admin.disconnect();
  }

  async load(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, bigint>> {
    // Fencing first: once our producers are initialised no older owner can commit, so the
    // committed input offsets and the output topics' ends are final for what follows.
    await Promise.all(partitions.map((p) => this.producerFor(p.partition)));
    const [committed] = await this.admin.use((admin) =>
      admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.inputTopic] }),
    );
    const positions = new Map<string, bigint>();
    for (const { partition, offset } of committed.partitions) {
      if (offset !== '-1') positions.set(topicPartitionKey(this.options.inputTopic, partition), BigInt(offset));
    }
    return positions;
  }

  async release({ partition }: TopicPartition): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  async write(slice: Slice<KafkaMessage>, output: TransactionOutput): Promise<TransactionReceipt> {
    const { partition, records } = slice;
    const producer = this.producers.get(partition);
    if (!producer) throw new Error(`no producer for partition ${partition}`);
    const messages = output.messages.filter((o) => o.messages.length > 0);
    // Past the last record, not past the markers after it: the group's offset then never passes
    // a record it did not process, and readiness tells such a partition idle by its position.
    const nextOffset = BigInt(records[records.length - 1].offset) + 1n;
    const transaction = await producer.transaction();
    try {
      // The output and the input offsets go out together: the two chains (AddPartitionsToTxn then
      // Produce, AddOffsetsToTxn then TxnOffsetCommit) queue on the producer's connections without
      // waiting for each other, so the broker takes the next request as soon as it answers one.
      // Whichever reaches the coordinator first may meet the previous commit's markers still being
      // written: both are retried in place on that answer (transaction-partitions.ts). Both are
      // settled before anything else, so an abort never races a request of its own transaction.
      const [sent, offsets] = await Promise.allSettled([
        messages.length > 0 ? transaction.sendBatch({ topicMessages: messages, acks: -1 }) : Promise.resolve([]),
        transaction.sendOffsets({
          consumerGroupId: this.options.groupId,
          topics: [{ topic: this.options.inputTopic, partitions: [{ partition, offset: `${nextOffset}` }] }],
        }),
      ]);
      if (sent.status === 'rejected') throw sent.reason;
      if (offsets.status === 'rejected') throw offsets.reason;
      const acknowledged = sent.value;
      // A leader change during the send can make KafkaJS drop a topic's records and still resolve;
      // committing then would lose them (results without events, or the reverse) for good.
      const dropped = unacknowledgedPartitions(
        messages.map((o) => ({ topic: o.topic, partition })),
        acknowledged,
      );
      if (dropped.length > 0)
        throw new Error(`${dropped.map((p) => `${p.topic}[${p.partition}]`).join(', ')} not written (a leader changed during the send)`);
      const bases = baseOffsetsOf(acknowledged, partition);
      for (const [topic, assumed] of output.assumedBaseOffsets ?? []) {
        const actual = bases.get(topic);
        if (actual !== undefined && actual !== assumed)
          throw new Error(`${topic}[${partition}] was written at offset ${actual}, not ${assumed}: another writer?`);
      }
      this.options.beforeCommit?.(partition, slice.records.length);
      await transaction.commit();
      // One writer per partition: the next record comes after this one's last record and its commit marker.
      const nextOutputOffsets = new Map(messages.map((o) => [o.topic, bases.get(o.topic)! + BigInt(o.messages.length) + 1n]));
      return { nextOffset, nextOutputOffsets };
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  private async producerFor(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      producer = this.kafka.producer({
        transactionalId: `${this.options.transactionalIdPrefix}-${partition}`,
        idempotent: true,
        // Two: a transaction's output and its offsets are sent side by side (see write); a broker
        // still takes one request of a connection at a time.
        maxInFlightRequests: 2,
        transactionTimeout: 60000,
        // Right after a commit the coordinator still writes its markers for a few milliseconds
        // and answers the next transaction with CONCURRENT_TRANSACTIONS (a third to three
        // quarters of transactions here): retry soon and often. Starting at 1 ms rather than 3
        // gave 5-15 % more transactions per second with 12 producers.
        retry: { initialRetryTime: 1, maxRetryTime: 500, factor: 0.2, multiplier: 1.5, retries: 30 },
      });
      this.producers.set(partition, producer);
      await producer.connect();
      // KafkaJS's connect() takes a plain idempotent producer id; the transactional id is
      // registered (and older holders of it fenced, their open transaction aborted) only by the
      // first transaction(). Do that now, before anything is read: an empty transaction sends
      // no request to end it.
      await (await producer.transaction()).abort();
    }
    return producer;
  }
}

function baseOffsetsOf(records: RecordMetadata[], partition: number): Map<string, bigint> {
  const bases = new Map<string, bigint>();
  for (const record of records) {
    if (record.partition === partition && record.baseOffset !== undefined) bases.set(record.topicName, BigInt(record.baseOffset));
  }
  return bases;
}
