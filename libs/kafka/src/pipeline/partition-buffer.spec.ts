import { PartitionBuffer } from './partition-buffer';

interface SourceRecord {
  offset: bigint;
  value: Buffer;
}

const records = (...offsets: number[]): SourceRecord[] =>
  offsets.map((offset) => ({ offset: BigInt(offset), value: Buffer.from(String(offset)) }));

describe('PartitionBuffer', () => {
  it('hands over what it collected from several fetches, up to the last offset covered', () => {
    const buffer = new PartitionBuffer<SourceRecord>((r) => r.offset);
    buffer.append(records(0, 1, 2), 3n);
    buffer.append(records(5, 6), 7n);
    expect(buffer.size).toBe(5);
    const taken = buffer.take()!;
    expect(taken.records.map((r) => Number(r.offset))).toEqual([0, 1, 2, 5, 6]);
    expect(taken.lastOffset).toBe(7n);
    expect(buffer.isEmpty).toBe(true);
    expect(buffer.take()).toBeNull();
  });

  it('moves past a fetch of transaction markers only', () => {
    const buffer = new PartitionBuffer<SourceRecord>((r) => r.offset);
    buffer.append([], 9n);
    expect(buffer.isEmpty).toBe(false);
    expect(buffer.take()).toEqual({ records: [], lastOffset: 9n });
  });

  it('hands over at most a limit of records, the rest with the last offset covered next', () => {
    const buffer = new PartitionBuffer<SourceRecord>((r) => r.offset);
    buffer.append(records(0, 1, 2, 3), 4n);
    expect(buffer.take(3)).toEqual({ records: records(0, 1, 2), lastOffset: 2n });
    expect(buffer.size).toBe(1);
    buffer.append(records(5), 6n);
    expect(buffer.take(3)).toEqual({ records: records(3, 5), lastOffset: 6n });
    expect(buffer.isEmpty).toBe(true);
  });

  it('starts over after clear (a seek back to the checkpoint)', () => {
    const buffer = new PartitionBuffer<SourceRecord>((r) => r.offset);
    buffer.append(records(10, 11), 11n);
    buffer.clear();
    buffer.append(records(5, 6), 6n);
    expect(buffer.take()!.records.map((r) => Number(r.offset))).toEqual([5, 6]);
  });
});
