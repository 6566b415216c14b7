import type { EventEnvelope } from '@vinsight/contracts';
import { ProjectionRejection } from '../events/projection-rejection';

/** An event of the batch with its place in it (so rejections can name the record) and its aggregate's key. */
export interface BatchEvent {
  readonly index: number;
  readonly envelope: EventEnvelope;
  readonly key: string;
}

export interface FoldResult<S> {
  /** Final state of every aggregate the batch changed. */
  readonly changed: Map<string, S>;
  readonly rejected: { index: number; rejection: ProjectionRejection }[];
  /** Events that were applied or found already applied (their audit rows are written). */
  readonly accepted: BatchEvent[];
}

/**
 * Applies a batch's events to the current states of their aggregates, in batch order, with the
 * version guard that makes redelivery harmless: an event is applied only when its version is above
 * the state's. `evolve` is pure; when it refuses an event (ProjectionRejection) the state stays as
 * it was and later events of the same aggregate still apply.
 */
export function foldEvents<S>(
  events: readonly BatchEvent[],
  current: ReadonlyMap<string, S>,
  versionOf: (state: S) => number,
  evolve: (state: S | undefined, envelope: EventEnvelope) => S,
): FoldResult<S> {
  const states = new Map(current);
  const changed = new Map<string, S>();
  const rejected: FoldResult<S>['rejected'] = [];
  const accepted: BatchEvent[] = [];
  for (const event of events) {
    const key = event.key;
    const state = states.get(key);
    if (state !== undefined && event.envelope.version <= versionOf(state)) {
      accepted.push(event);
      continue;
    }
    try {
      const next = evolve(state, event.envelope);
      states.set(key, next);
      changed.set(key, next);
      accepted.push(event);
    } catch (error) {
      if (!(error instanceof ProjectionRejection)) throw error;
      rejected.push({ index: event.index, rejection: error });
    }
  }
  return { changed, rejected, accepted };
}
