import type { EventEnvelope } from '@vinsight/contracts';
import type { PoolClient } from 'pg';
import { DecodedEvent } from '../events/decode-event';
import { ProjectionRejection } from '../events/projection-rejection';
import { ReadModelContext } from './read-model';

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
  /** Of the accepted, the events at or below their state's version: found already applied. */
  readonly superseded: BatchEvent[];
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
  const superseded: BatchEvent[] = [];
  for (const event of events) {
    const key = event.key;
    const state = states.get(key);
    if (state !== undefined && event.envelope.version <= versionOf(state)) {
      accepted.push(event);
      superseded.push(event);
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
  return { changed, rejected, accepted, superseded };
}

/** A read model of one row (state) per aggregate, folded from its events. */
export interface AggregateFold<S> {
  /** The row's key of an event, checking the ids in its payload (refusing the event if they disagree). */
  keyOf(envelope: EventEnvelope): string;
  /** The current rows of the aggregates of these events (one event per aggregate), by key. */
  load(client: PoolClient, envelopes: readonly EventEnvelope[]): Promise<Map<string, S>>;
  versionOf(state: S): number;
  evolve(state: S | undefined, envelope: EventEnvelope): S;
}

/**
 * The set-based fold of a batch: one load for all of its aggregates, the events folded in memory
 * (foldEvents), refusals and redeliveries reported to the engine. Returns the final states of the
 * aggregates the batch changed and the rows as they were loaded.
 */
export async function foldAggregates<S>(
  events: readonly DecodedEvent[],
  fold: AggregateFold<S>,
  context: ReadModelContext,
): Promise<{ changed: S[]; loaded: ReadonlyMap<string, S> }> {
  const keyed: BatchEvent[] = [];
  const firstOfKey = new Map<string, EventEnvelope>();
  events.forEach((event, index) => {
    try {
      const key = fold.keyOf(event.envelope);
      keyed.push({ index, envelope: event.envelope, key });
      if (!firstOfKey.has(key)) firstOfKey.set(key, event.envelope);
    } catch (error) {
      if (!(error instanceof ProjectionRejection)) throw error;
      context.reject(event, error);
    }
  });
  if (keyed.length === 0) return { changed: [], loaded: new Map() };
  const loaded = await fold.load(context.client, [...firstOfKey.values()]);
  const result = foldEvents(keyed, loaded, fold.versionOf, fold.evolve);
  for (const { index, rejection } of result.rejected) context.reject(events[index], rejection);
  for (const { index } of result.superseded) context.superseded(events[index]);
  return { changed: [...result.changed.values()], loaded };
}
