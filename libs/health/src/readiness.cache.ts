/**
 * Keeps each readiness check's result for a short time and shares one run between concurrent
 * callers, so a burst of probes (kubelet, load balancer, operators) costs the database and the
 * broker one query per check and window, never one per request.
 */
export class ReadinessCache {
  private readonly entries = new Map<string, { result: Promise<unknown>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `run` must not reject: a failed check is a result ("down"), not an error. */
  get<T>(key: string, run: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.result as Promise<T>;
    const result = run().finally(() => {
      // The window starts when the answer arrives: a slow check is not run again at once.
      const current = this.entries.get(key);
      if (current?.result === result) current.expiresAt = this.now() + this.ttlMs;
    });
    // Until it settles, the entry never expires, so concurrent callers share the run in flight.
    this.entries.set(key, { result, expiresAt: Number.POSITIVE_INFINITY });
    return result;
  }

  clear(): void {
    this.entries.clear();
  }
}
