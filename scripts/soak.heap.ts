/**
 * Heap snapshots by constructor: `node dist/scripts/soak.heap.js before.heapsnapshot after.heapsnapshot`
 * prints what grew between two snapshots (self size and count per node type and constructor).
 * Snapshots of a few hundred MB of heap exceed V8's longest string, so the nodes array is read as
 * a stream of numbers; edges are skipped (no retained sizes: self sizes by constructor were enough
 * to name what grows).
 */
import { createReadStream } from 'node:fs';

export interface HeapGroup {
  key: string;
  count: number;
  bytes: number;
}

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
}

/** Self size and count of every `type:name` group of one snapshot. */
export async function summariseHeapSnapshot(path: string): Promise<Map<string, HeapGroup>> {
  let header = '';
  let meta: { meta: SnapshotMeta; node_count: number } | undefined;
  let nodes: Float64Array | undefined;
  let filled = 0;
  let edgesLeft = 0;
  let phase: 'header' | 'nodes' | 'edges-start' | 'edges' | 'rest' = 'header';
  let digits = -1;
  const rest: Buffer[] = [];

  const push = (value: number) => {
    if (phase === 'nodes') {
      nodes![filled++] = value;
      if (filled === nodes!.length) phase = 'edges-start';
    } else if (--edgesLeft === 0) phase = 'rest';
  };

  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let i = 0;
    while (i < chunk.length) {
      if (phase === 'header') {
        const text = chunk.toString('latin1', i);
        const at = (header + text).indexOf('"nodes":[');
        if (at < 0) {
          header += text;
          break;
        }
        const parsed = JSON.parse(`${(header + text).slice(0, at).replace(/,\s*$/, '')}}`) as {
          snapshot: typeof meta & { edge_count: number };
        };
        meta = parsed.snapshot;
        edgesLeft = parsed.snapshot.edge_count * 3;
        nodes = new Float64Array(meta!.node_count * meta!.meta.node_fields.length);
        i += at + '"nodes":['.length - header.length;
        header = '';
        phase = nodes.length === 0 ? 'edges-start' : 'nodes';
        continue;
      }
      if (phase === 'edges-start') {
        const at = chunk.indexOf('"edges":[', i, 'latin1');
        if (at < 0) break;
        i = at + '"edges":['.length;
        phase = edgesLeft === 0 ? 'rest' : 'edges';
        continue;
      }
      if (phase === 'rest') {
        rest.push(chunk.subarray(i));
        break;
      }
      const byte = chunk[i++];
      if (byte >= 48 && byte <= 57) digits = digits < 0 ? byte - 48 : digits * 10 + (byte - 48);
      else if (digits >= 0) {
        push(digits);
        digits = -1;
      }
    }
  }
  const tail = Buffer.concat(rest).toString('utf8');
  // The last edge's number ended at the edges' closing bracket, which is consumed with it.
  const strings = (JSON.parse(`{"_":0${tail.replace(/^\s*\]?/, '')}`) as { strings: string[] }).strings;
  const fields = meta!.meta.node_fields;
  const types = meta!.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const groups = new Map<string, HeapGroup>();
  for (let n = 0; n < nodes!.length; n += fields.length) {
    const type = types[nodes![n + typeAt]];
    const named =
      type === 'object' || type === 'closure' || type === 'native' || type === 'array' || type === 'hidden' || type === 'synthetic';
    const key = named ? `${type}:${strings[nodes![n + nameAt]].slice(0, 60)}` : type;
    const group = groups.get(key) ?? { key, count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += nodes![n + sizeAt];
    groups.set(key, group);
  }
  return groups;
}

/** The groups that grew most from `before` to `after`, largest growth first. */
export function heapGrowth(
  before: Map<string, HeapGroup>,
  after: Map<string, HeapGroup>,
  top = 15,
): { key: string; countDelta: number; mbDelta: number; mbAfter: number }[] {
  return [...after.values()]
    .map((a) => {
      const b = before.get(a.key) ?? { count: 0, bytes: 0 };
      return {
        key: a.key,
        countDelta: a.count - b.count,
        mbDelta: round((a.bytes - b.bytes) / 2 ** 20),
        mbAfter: round(a.bytes / 2 ** 20),
      };
    })
    .sort((x, y) => y.mbDelta - x.mbDelta)
    .slice(0, top);
}

export const heapTotalMb = (groups: Map<string, HeapGroup>) => round([...groups.values()].reduce((sum, g) => sum + g.bytes, 0) / 2 ** 20);

const round = (value: number) => Math.round(value * 10) / 10;

if (require.main === module) {
  const [before, after] = process.argv.slice(2);
  Promise.all([summariseHeapSnapshot(before), summariseHeapSnapshot(after)]).then(
    ([b, a]) => {
      process.stdout.write(`heap (self sizes) ${heapTotalMb(b)} MB -> ${heapTotalMb(a)} MB; grew most:\n`);
      for (const row of heapGrowth(b, a, 20)) process.stdout.write(`${JSON.stringify(row)}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
