import { PartitionSink, Slice, TopicPartition, topicPartitionKey } from '@vinsight/kafka';
import type { BatchResult, BatchRunner } from '../apply/batch-runner';
import type { DecodedRecord } from '../events/decode-event';

/**
 * The projection's sink: a slice's read-model rows and its partition's checkpoint in ONE Postgres
 * transaction (BatchRunner). Positions live here, not in Kafka: nothing is committed to the
 * consumer group, and the pipeline seeks to the stored checkpoints whenever it joins. The
 * checkpoint row's lock makes a batch exclusive and drops what is already applied, so a member
 * that lost its partition without noticing changes nothing.
 */
export class CheckpointSink implements PartitionSink<DecodedRecord, Slice<DecodedRecord>, BatchResult> {
  readonly positions = 'sink';
  /** A fetch of only transaction markers moves the checkpoint too: lag and read-your-writes tokens count them. */
  readonly writesEmptySlices = true;

  constructor(private readonly runner: BatchRunner) {}

  async load(partitions: readonly TopicPartition[]): Promise<ReadonlyMap<string, bigint>> {
    const wanted = new Set(partitions.map((p) => topicPartitionKey(p.topic, p.partition)));
    const positions = new Map<string, bigint>();
    for (const checkpoint of await this.runner.checkpointStore.all(this.runner.pool)) {
      const key = topicPartitionKey(checkpoint.topic, checkpoint.partition);
      if (wanted.has(key)) positions.set(key, checkpoint.nextOffset);
    }
    return positions;
  }

  write(slice: Slice<DecodedRecord>): Promise<BatchResult> {
    return this.runner.runDecoded(slice);
  }
}
