/**
 * KafkaJS 2.2.4 groups a send's messages by partition (producer/groupMessagesPerPartition.js)
 * with `[...current, message]` for every message: each message copies its partition's list so
 * far, quadratic in a send's size. The command processor sends a transaction's records to one
 * partition per topic, 600 or more at full speed, so those copies were 39 % of all the bytes the
 * processor allocated (a sampling heap profile), the garbage collector's largest source.
 *
 * This groups the same messages into the same lists, partition by partition in the same order,
 * each message appended once. KafkaJS's sendMessages.js takes its grouping function when it is
 * loaded, which is when KafkaJS itself is, so this must be put in Node's module cache before the
 * first `require('kafkajs')`: this library's entry point imports this module before anything
 * else. Loaded later (KafkaJS already in the cache, or under Jest, whose module registry ignores
 * Node's cache), it changes nothing and KafkaJS groups as it always did.
 */
import Module from 'node:module';

interface GroupingInput<TMessage> {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly TMessage[];
  partitioner: (args: { topic: string; partitionMetadata: readonly unknown[]; message: TMessage }) => number;
}

/** KafkaJS's grouping, with the same result: partition -> its messages, in the order sent. */
export function groupMessagesPerPartition<TMessage>({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: GroupingInput<TMessage>): Record<number, TMessage[]> {
  const groups: Record<number, TMessage[]> = {};
  if (partitionMetadata.length === 0) return groups;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const group = groups[partition];
    if (group === undefined) groups[partition] = [message];
    else group.push(message);
  }
  return groups;
}

/** Whether KafkaJS, once loaded, groups with the function above (false: it was loaded first). */
export const partitionGroupingInstalled = installPartitionGrouping();

function installPartitionGrouping(): boolean {
  let path: string;
  try {
    path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
  } catch {
    return false; // a KafkaJS without that module: nothing to replace
  }
  const cache = require.cache;
  // KafkaJS loads this module with itself: cached means KafkaJS (or this install) came first.
  const cached = cache[path];
  if (cached !== undefined) return cached.exports === groupMessagesPerPartition;
  const replacement = new Module(path);
  replacement.filename = path;
  replacement.exports = groupMessagesPerPartition;
  replacement.loaded = true;
  cache[path] = replacement;
  return true;
}
