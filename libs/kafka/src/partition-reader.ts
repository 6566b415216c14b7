import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage } from 'kafkajs';

export interface PartitionReadRequest {
  topic: string;
  partition: number;
  /** First offset to deliver (inclusive). */
  fromOffset: bigint;
}

export type PartitionBatchHandler = (messages: KafkaMessage[]) => void | Promise<void>;

/**
 * Reads one partition's committed records from an offset up to its end at the time of the call,
 * then stops. KafkaJS has no manual partition assignment, so this uses a throwaway consumer
 * group that never commits, pauses every partition but the one asked for, and seeks.
 *
 * "The end" is the high watermark read before starting. The command processor calls this only
 * after its transactional producer for the partition has fenced older producers, so no open
 * transaction can sit below that mark. A batch made only of transaction markers still reports its
 * last offset (KafkaJS END_BATCH_PROCESS), which is how a partition ending in a commit marker is
 * recognised as fully read.
 */
export async function readPartitionToEnd(
  kafka: Kafka,
  request: PartitionReadRequest,
  onBatch: PartitionBatchHandler,
  options: { timeoutMs?: number; groupPrefix?: string } = {},
): Promise<{ messages: number; endOffset: bigint }> {
  const { topic, partition, fromOffset } = request;
  const admin = kafka.admin();
  await admin.connect();
  let end: bigint;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const entry = offsets.find((o) => o.partition === partition);
    if (!entry) throw new Error(`topic ${topic} has no partition ${partition}`);
    end = BigInt(entry.high);
  } finally {
    await admin.disconnect();
  }
  if (fromOffset >= end) return { messages: 0, endOffset: end };

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix ?? 'vinsight'}.reader.${randomUUID()}`,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  let delivered = 0;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reached = (lastOffset: string) => BigInt(lastOffset) >= end - 1n;

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = payload.memberAssignment[topic] ?? [];
    const others = assigned.filter((p) => p !== partition);
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    consumer.seek({ topic, partition, offset: fromOffset.toString() });
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.partition === partition && reached(payload.lastOffset)) finish();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));

  const timer = setTimeout(
    () => fail(new Error(`reading ${topic}[${partition}] did not reach offset ${end} in ${options.timeoutMs ?? 300000} ms`)),
    options.timeoutMs ?? 300000,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition) return;
        const wanted = batch.messages.filter((m) => BigInt(m.offset) >= fromOffset && BigInt(m.offset) < end);
        if (wanted.length > 0) {
          await onBatch(wanted);
          delivered += wanted.length;
        }
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return { messages: delivered, endOffset: end };
}
