export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** One partition's records in offset order, processed and written as one unit. */
export interface Slice<R> extends TopicPartition {
  readonly records: readonly R[];
  /**
   * The last offset the slice covers: its last record's, or past it when transaction markers or
   * records of aborted transactions followed (a slice may hold no record at all then).
   */
  readonly lastOffset: bigint;
}

/** What every sink reports of a slice it wrote: where the partition stands now. */
export interface WriteReceipt {
  /** The offset the partition's next record must have; past `lastOffset + 1` when the store was ahead. */
  readonly nextOffset: bigint;
}

/**
 * Turns a slice into what the sink writes, in ONE call. The pipeline calls it for one slice of a
 * partition at a time, in offset order, and only for partitions it loaded.
 */
export interface SliceProcessor<R, Output, Receipt extends WriteReceipt = WriteReceipt> {
  /** The partitions were assigned and their sink has loaded them (older writers fenced): build their state. */
  load?(partitions: readonly TopicPartition[]): Promise<void>;
  /** The partition was released (revoked, or a slice of it failed): forget its state. */
  release?(partition: TopicPartition): void;
  process(slice: Slice<R>): Promise<Output>;
  /** The sink made `output` durable: what `process` decided against becomes the partition's state. */
  committed?(slice: Slice<R>, output: Output, receipt: Receipt): void;
}

/**
 * Where slices are written, together with the position of their partition: written and positioned
 * atomically, so that a crash at any point neither loses nor repeats a slice's effects.
 */
export interface PartitionSink<R, Output, Receipt extends WriteReceipt = WriteReceipt> {
  /**
   * `kafka-group`: positions are the consumer group's committed offsets (KafkaJS starts from them);
   * `sink`: positions live in the sink and the pipeline seeks to them whenever it (re)joins.
   */
  readonly positions: 'kafka-group' | 'sink';
  /** Whether a slice holding only transaction markers is written (to move a stored position past them). */
  readonly writesEmptySlices: boolean;
  start?(): Promise<void>;
  /**
   * Takes the partitions over (fencing older writers where the sink can) and answers where each
   * stands: the offset its next record must have, keyed by `topicPartitionKey`; absent for a
   * partition never written (it starts where the consumer's first fetch does).
   */
  load(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, bigint>>;
  /** Writes `output` and moves the partition's position past `slice`, atomically; throws after undoing both. */
  write(slice: Slice<R>, output: Output): Promise<Receipt>;
  release?(partition: TopicPartition): Promise<void>;
  stop?(): Promise<void>;
}

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
