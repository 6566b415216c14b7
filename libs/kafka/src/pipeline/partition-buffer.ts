/**
 * The records fetched for one partition and not yet in a slice. Fetches stay small (KafkaJS
 * decodes small fetches much faster) while slices grow large: a slice costs its sink a fixed
 * amount of work (a Kafka transaction, a Postgres transaction with its rollup rows) whatever it
 * carries. Which offsets belong here is the pipeline's business: it appends only what follows
 * what it already holds.
 */
export class PartitionBuffer<T> {
  private records: T[] = [];
  /** Last offset covered, transaction markers included; null when nothing is buffered. */
  private lastOffset: bigint | null = null;

  constructor(private readonly offsetOf: (item: T) => bigint) {}

  get size(): number {
    return this.records.length;
  }

  get isEmpty(): boolean {
    return this.lastOffset === null;
  }

  /** Adds a fetch's records (none for a fetch of transaction markers only), covering offsets up to `lastOffset`. */
  append(records: readonly T[], lastOffset: bigint): void {
    for (const record of records) this.records.push(record);
    if (this.lastOffset === null || lastOffset > this.lastOffset) this.lastOffset = lastOffset;
  }

  /**
   * Hands over what is buffered (for one slice): everything, or the first `limit` records,
   * covering offsets up to the last of them; the rest stays for the next slice.
   */
  take(limit = Number.POSITIVE_INFINITY): { records: T[]; lastOffset: bigint } | null {
    if (this.lastOffset === null) return null;
    if (this.records.length > limit) {
      const records = this.records.slice(0, limit);
      this.records = this.records.slice(limit);
      return { records, lastOffset: this.offsetOf(records[records.length - 1]) };
    }
    const taken = { records: this.records, lastOffset: this.lastOffset };
    this.records = [];
    this.lastOffset = null;
    return taken;
  }

  /** Forgets everything (the partition was released, or its position moved). */
  clear(): void {
    this.records = [];
    this.lastOffset = null;
  }
}
