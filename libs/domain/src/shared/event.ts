/**
 * Events are facts in the past tense: `{ type, data }`. Envelope metadata (event id, time,
 * version, causation) is added by the code that writes them, never by the domain.
 */
export interface Event<TType extends string, TData extends object> {
  readonly type: TType;
  readonly data: Readonly<TData>;
}
