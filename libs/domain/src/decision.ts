import type { DomainError } from './shared/domain-error';
import type { AggregateType, DomainEvent } from './domain-event';

export interface AggregateRef {
  readonly aggregateType: AggregateType;
  readonly aggregateId: string;
}

/**
 * An event as decided: the domain event plus the aggregate it belongs to and that aggregate's
 * version after it. The writer adds the rest of the envelope (eventId, occurredAt, commandId,
 * correlationId) from the command's metadata.
 */
export type DecidedEvent<TEvent extends DomainEvent = DomainEvent> = TEvent & AggregateRef & { readonly version: number };

/**
 * The answer to a command. On success, `aggregateType`/`aggregateId` name the command's target
 * and `version` is its version after the events (unchanged when there are none, e.g. a check id
 * seen before): that is what the command result reports.
 */
export type Decision =
  | ({ readonly ok: true; readonly events: readonly DecidedEvent[]; readonly version: number } & AggregateRef)
  | { readonly ok: false; readonly error: DomainError };
