import type { DomainError } from './domain-error';

/** What a per-aggregate decider returns: the events to append, or why not. */
export type Outcome<TEvent> =
  { readonly ok: true; readonly events: readonly TEvent[] } | { readonly ok: false; readonly error: DomainError };

export const accept = <TEvent>(...events: TEvent[]): Outcome<TEvent> => ({ ok: true, events });

export const reject = (error: DomainError): { readonly ok: false; readonly error: DomainError } => ({ ok: false, error });
