import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage } from 'kafkajs';

export type PartitionBatchHandler = (partition: number, messages: KafkaMessage[]) => void | Promise<void>;

export interface ReadToEndResult {
  messages: number;
  /** The end each partition was read to (its high watermark when the read started). */
  endOffsets: Map<number, bigint>;
}

/**
 * Reads some partitions of a topic, each from a given offset up to its end at the time of the
 * call, delivering committed records only, then stops. KafkaJS has no manual partition
 * assignment, so this uses a throwaway consumer group that never commits, pauses the partitions
 * it was not asked for, and seeks.
 *
 * "The end" is the high watermark read before starting. The command processor calls this only
 * after its transactional producers for those partitions have fenced older ones, so no open
 * transaction sits below that mark. A fetch that returns only transaction markers still reports
 * its last offset (KafkaJS END_BATCH_PROCESS), which is how a partition ending in a commit marker
 * is recognised as fully read.
 */
export async function readPartitionsToEnd(
  kafka: Kafka,
  topic: string,
  fromOffsets: ReadonlyMap<number, bigint>,
  onBatch: PartitionBatchHandler,
  options: { timeoutMs?: number; groupPrefix?: string } = {},
): Promise<ReadToEndResult> {
  const admin = kafka.admin();
  await admin.connect();
  const endOffsets = new Map<number, bigint>();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const partition of fromOffsets.keys()) {
      const entry = offsets.find((o) => o.partition === partition);
      if (!entry) throw new Error(`topic ${topic} has no partition ${partition}`);
      endOffsets.set(partition, BigInt(entry.high));
    }
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...fromOffsets].filter(([p, from]) => from < endOffsets.get(p)!).map(([p]) => p));
  if (pending.size === 0) return { messages: 0, endOffsets };

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix ?? 'vinsight'}.reader.${randomUUID()}`,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  let delivered = 0;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const markRead = (partition: number, lastOffset: string) => {
    if (pending.has(partition) && BigInt(lastOffset) >= endOffsets.get(partition)! - 1n) {
      pending.delete(partition);
      if (pending.size === 0) finish();
    }
  };

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = payload.memberAssignment[topic] ?? [];
    const others = assigned.filter((p) => !fromOffsets.has(p));
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    for (const [partition, from] of fromOffsets) consumer.seek({ topic, partition, offset: from.toString() });
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => markRead(payload.partition, payload.lastOffset));
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));

  const timeoutMs = options.timeoutMs ?? 600000;
  const timer = setTimeout(() => fail(new Error(`reading ${topic} did not reach the end in ${timeoutMs} ms`)), timeoutMs);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const from = fromOffsets.get(batch.partition);
        const end = endOffsets.get(batch.partition);
        if (from === undefined || end === undefined) return;
        const wanted = batch.messages.filter((m) => BigInt(m.offset) >= from && BigInt(m.offset) < end);
        if (wanted.length > 0) {
          await onBatch(batch.partition, wanted);
          delivered += wanted.length;
        }
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return { messages: delivered, endOffsets };
}
