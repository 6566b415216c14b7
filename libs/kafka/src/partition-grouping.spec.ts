import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModuleKind, transpileModule } from 'typescript';
import { groupMessagesPerPartition } from './partition-grouping';

// KafkaJS's own grouping: the reference.
type Grouping = typeof groupMessagesPerPartition;
const kafkajsGrouping = require('kafkajs/src/producer/groupMessagesPerPartition') as Grouping;

interface Sent {
  key: string;
  partition?: number;
}

const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({ partitionId, leader: 1 }));
/** The service's way: every message names its partition. */
const byPartition = ({ message }: { message: Sent }) => message.partition!;
/** A key hash, as KafkaJS's default partitioner would: messages of one partition interleave with others'. */
const byKey = ({ message }: { message: Sent }) => [...message.key].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 12, 7);

describe('groupMessagesPerPartition', () => {
  it("groups as KafkaJS's does: the same partitions, each with its messages in the order sent", () => {
    const oneTransaction = Array.from({ length: 700 }, (_, i) => ({ key: `tenant-${i % 9}`, partition: 4 }));
    const interleaved = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, partition: (i * 7) % 12 }));
    for (const messages of [oneTransaction, interleaved, [], [{ key: 'only', partition: 0 }]]) {
      for (const partitioner of [byPartition, byKey]) {
        const input = { topic: 't', partitionMetadata, messages, partitioner };
        const ours = groupMessagesPerPartition(input);
        expect(ours).toStrictEqual(kafkajsGrouping(input));
        expect(Object.keys(ours)).toEqual(Object.keys(kafkajsGrouping(input)));
      }
    }
  });

  it('groups nothing for a topic without partition metadata, as KafkaJS does', () => {
    const input = { topic: 't', partitionMetadata: [], messages: [{ key: 'a', partition: 1 }], partitioner: byPartition };
    expect(groupMessagesPerPartition(input)).toStrictEqual({});
    expect(kafkajsGrouping(input)).toStrictEqual({});
  });

  // Jest's module registry ignores require.cache, so the installation is checked in plain Node.
  it('replaces KafkaJS’s grouping when loaded before KafkaJS, and leaves it when loaded after', () => {
    const compiled = transpileModule(readFileSync(join(__dirname, 'partition-grouping.ts'), 'utf8'), {
      compilerOptions: { module: ModuleKind.CommonJS, esModuleInterop: true },
    }).outputText;
    const load = `const m = { exports: {} }; new Function('module', 'exports', 'require', ${JSON.stringify(compiled)})(m, m.exports, require);`;
    const check = `
      const send = require('kafkajs/src/producer/groupMessagesPerPartition');
      process.stdout.write(JSON.stringify({ installed: m.exports.partitionGroupingInstalled, used: send === m.exports.groupMessagesPerPartition }));`;
    const run = (source: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', source], {
          env: { ...process.env, NODE_PATH: dirname(dirname(require.resolve('kafkajs/package.json'))) },
          encoding: 'utf8',
        }),
      );
    expect(run(`${load} require('kafkajs'); ${check}`)).toEqual({ installed: true, used: true });
    expect(run(`require('kafkajs'); ${load} ${check}`)).toEqual({ installed: false, used: false });
  });
});
