/**
 * The most recent check ids of a monitor, oldest first, at most `capacity` of them: immutable to
 * its users, with O(1) lookup and O(1) amortised `with`. Every RecordCheckResult looks the window
 * up and every CheckRecorded extends it, so an array (a scan of 100 ids, then a copy to extend it
 * and another to trim it) cost the processor 8-11 µs per check once a monitor's window was full.
 *
 * Windows derived from one another share an append-only log of ids and an index of where each id
 * was last appended. A window is a view of the log's entries [end - capacity, end). Extending the
 * newest window appends in place; extending an older one (a decision made against a state that
 * was then discarded) copies its own entries first, so no window ever sees another's ids. The log
 * is restarted from the window's entries when it reaches twice the capacity, which bounds memory.
 */
export class CheckIdWindow implements Iterable<string> {
  private constructor(
    private readonly log: Log,
    private readonly end: number,
  ) {}

  static empty(capacity: number): CheckIdWindow {
    return new CheckIdWindow(newLog(capacity, []), 0);
  }

  /** The last `capacity` of `ids` (oldest first); an id already in the window is not added again. */
  static of(capacity: number, ids: Iterable<string>): CheckIdWindow {
    let window = CheckIdWindow.empty(capacity);
    for (const id of ids) window = window.with(id);
    return window;
  }

  get size(): number {
    return this.end - this.start;
  }

  has(id: string): boolean {
    const at = this.log.lastIndex.get(id);
    if (at === undefined || at < this.start) return false;
    if (at < this.end) return true;
    // Appended past this window by a newer one: the id may still be inside this one, earlier.
    for (let i = this.start; i < this.end; i++) if (this.log.ids[i] === id) return true;
    return false;
  }

  /** This window with `id` as its newest entry, its oldest dropped when full; itself if `id` is in it. */
  with(id: string): CheckIdWindow {
    if (this.has(id)) return this;
    const { log } = this;
    // A frozen log (a state deep-frozen to prove evolve pure) is copied like a shared one.
    if (log.ids.length === this.end && this.end < 2 * log.capacity && Object.isExtensible(log.ids)) {
      log.ids.push(id);
      log.lastIndex.set(id, this.end);
      return new CheckIdWindow(log, this.end + 1);
    }
    const kept = log.ids.slice(this.size === log.capacity ? this.start + 1 : this.start, this.end);
    kept.push(id);
    return new CheckIdWindow(newLog(log.capacity, kept), kept.length);
  }

  toArray(): string[] {
    return this.log.ids.slice(this.start, this.end);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.toArray()[Symbol.iterator]();
  }

  /** JSON is the array of ids, oldest first (snapshots, logs). */
  toJSON(): string[] {
    return this.toArray();
  }

  private get start(): number {
    return Math.max(0, this.end - this.log.capacity);
  }
}

interface Log {
  readonly capacity: number;
  readonly ids: string[];
  readonly lastIndex: Map<string, number>;
}

function newLog(capacity: number, ids: string[]): Log {
  return { capacity, ids, lastIndex: new Map(ids.map((id, index) => [id, index])) };
}
