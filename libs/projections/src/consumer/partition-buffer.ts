/**
 * The records fetched for one partition and not applied yet. Fetches stay small (KafkaJS decodes
 * small fetches much faster) while batch transactions grow large: rollup rows and monitors are
 * written once per batch and key, so the more checks a batch holds per monitor, the less each
 * check costs.
 */
export class PartitionBuffer<T> {
  private records: T[] = [];
  /** Last offset covered, transaction markers included; null when nothing is buffered. */
  private lastOffset: bigint | null = null;
  /** The offset the next fetch must start at to continue the buffer; null before the first. */
  private expectedNext: bigint | null = null;

  constructor(private readonly offsetOf: (item: T) => bigint) {}

  get size(): number {
    return this.records.length;
  }

  get isEmpty(): boolean {
    return this.lastOffset === null;
  }

  /**
   * Adds a fetch (records may be empty: a fetch of transaction markers only). Records below
   * what is buffered already are dropped, so a fetch repeated after a seek adds nothing twice.
   */
  append(records: readonly T[], lastOffset: bigint): void {
    const fresh = this.expectedNext === null ? records : records.filter((r) => this.offsetOf(r) >= this.expectedNext!);
    for (const record of fresh) this.records.push(record);
    if (this.lastOffset === null || lastOffset > this.lastOffset) this.lastOffset = lastOffset;
    if (this.expectedNext === null || lastOffset + 1n > this.expectedNext) this.expectedNext = lastOffset + 1n;
  }

  /**
   * Hands over what is buffered (for one batch transaction): everything, or the first `limit`
   * records, covering offsets up to the last of them; the rest stays for the next batch.
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

  /** Forgets everything (the partition was revoked, or its position is reset by a seek). */
  clear(): void {
    this.records = [];
    this.lastOffset = null;
    this.expectedNext = null;
  }
}
