/** How far one partition's projection checkpoint is behind the end of its log. */
export interface PartitionProjectionLag {
  topic: string;
  partition: number;
  /** Next offset the projector will apply (its stored checkpoint). */
  checkpoint: number;
  /** End of the log a read_committed reader sees. */
  highWatermark: number;
  /** highWatermark - checkpoint, never negative. */
  lag: number;
}

/**
 * What the projector implements (its ProjectionLagService) so readiness can judge how far the
 * read models are behind. Provide it under PROJECTION_LAG_SOURCE in a module passed to
 * `HealthModule.forRoot({ imports })`, or register it with ProjectionLagRegistry.
 */
export interface ProjectionLagSource {
  /** Name in readiness details and in the lag metric (e.g. "read-models"). */
  readonly projection?: string;
  lag(): Promise<PartitionProjectionLag[]>;
  /** Events the projection parked that no replay has resolved yet; readiness fails while any wait. */
  parkedWaiting?(): Promise<number>;
}

export const PROJECTION_LAG_SOURCE = Symbol('PROJECTION_LAG_SOURCE');

export interface ProjectionLagVerdict {
  healthy: boolean;
  details: Record<string, unknown>;
}

/** Partitions listed in details when over the limit (the worst first), to keep the body short. */
const WORST_SHOWN = 5;

/** Pure judgement: every partition's lag at most `maxLagEvents`. */
export function judgeProjectionLag(partitions: readonly PartitionProjectionLag[], maxLagEvents: number): ProjectionLagVerdict {
  const totalLag = partitions.reduce((sum, p) => sum + p.lag, 0);
  const maxPartitionLag = partitions.reduce((max, p) => Math.max(max, p.lag), 0);
  const details: Record<string, unknown> = { totalLag, maxPartitionLag, maxLagEvents, partitions: partitions.length };
  const behind = partitions.filter((p) => p.lag > maxLagEvents).sort((a, b) => b.lag - a.lag);
  if (behind.length === 0) return { healthy: true, details };
  return {
    healthy: false,
    details: {
      ...details,
      message: `projection lag ${maxPartitionLag} events is above the limit of ${maxLagEvents} on ${behind.length} partition(s)`,
      behind: behind.slice(0, WORST_SHOWN).map(({ topic, partition, checkpoint, highWatermark, lag }) => ({
        topic,
        partition,
        checkpoint,
        highWatermark,
        lag,
      })),
    },
  };
}
