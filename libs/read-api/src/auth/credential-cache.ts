/**
 * A small time-bounded cache of credential lookups. Entries live `ttlMs` (so a revocation takes
 * effect within that time even when no notification arrives) and the oldest entries go first
 * once `maxEntries` is reached, so random tokens cannot grow it without limit.
 *
 * Entries are also dropped on demand (the projector's notifications). A lookup that started
 * before such a drop may have read the row as it was before the change: `set` refuses a value
 * looked up under an older `generation`, so the drop cannot be undone by a lookup in flight.
 */
export class CredentialCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private dropped = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** Take it before a lookup and hand it to `set` with the lookup's value. */
  get generation(): number {
    return this.dropped;
  }

  get(key: string, nowMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, nowMs: number, generation = this.dropped): void {
    if (this.ttlMs <= 0 || generation !== this.dropped) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: nowMs + this.ttlMs });
  }

  /** Drops every entry whose value matches (every entry without a predicate). */
  drop(matches: (value: V, key: string) => boolean = () => true): void {
    this.dropped += 1;
    for (const [key, entry] of this.entries) if (matches(entry.value, key)) this.entries.delete(key);
  }
}
