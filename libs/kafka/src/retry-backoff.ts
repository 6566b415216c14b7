/**
 * Back-off before a partition whose work failed (Postgres or Kafka unavailable, a transaction
 * refused) is tried again: doubling with each failure in a row, from `initialMs` up to `maxMs`;
 * a success starts over. The bound keeps a long outage to one attempt per partition every 5 s,
 * and a partition resumes at most that long after its dependency is back.
 */
export const PARTITION_RETRY_BACKOFF = { initialMs: 250, maxMs: 5_000 };

export interface RetryBackoff {
  initialMs: number;
  maxMs: number;
}

/** The wait after the `failures`-th failure in a row (1 for the first). */
export function retryDelayMs(failures: number, backoff: RetryBackoff = PARTITION_RETRY_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Start-up on a fresh cluster: right after topics are created, a broker whose metadata image lacks
 * them yet answers UNKNOWN_TOPIC_OR_PARTITION to whoever asks it (KafkaJS marks it retriable but
 * does not retry it in createTopics or subscribe). `run` is tried again while it fails with a
 * retriable error, `attempts` times in all, `delayMs` apart.
 */
export async function retryRetriable<T>(run: () => Promise<T>, attempts = 5, delayMs = 500): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable !== true || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
