/**
 * Commands follow emmett's shape: `{ type, data, metadata }`. Everything that is not part of the
 * caller's intent (the processor's clock, ids, concurrency expectations) travels in `metadata`,
 * so deciders stay pure and deterministic.
 */
export interface CommandMetadata {
  readonly commandId: string;
  readonly tenantId: string;
  readonly correlationId: string;
  readonly issuedBy?: string;
  /** The caller's own clock, informational only: rules use `now`. */
  readonly issuedAt?: Date;
  /** The command processor's clock when it decided; the only "current time" the domain knows. */
  readonly now: Date;
  /** Optimistic concurrency on the command's target aggregate: 0 means "must not exist yet". */
  readonly expectedVersion?: number;
}

export interface Command<TType extends string, TData extends object> {
  readonly type: TType;
  readonly data: Readonly<TData>;
  readonly metadata: CommandMetadata;
}
