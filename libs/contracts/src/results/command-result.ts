import type { ErrorDetail } from '@vinsight/domain';
import type { ErrorCode, WireError } from '../errors/wire-error';

interface CommandResultBase {
  readonly commandId: string;
  readonly correlationId: string;
  /** Null only when a rejected message carried neither a tenantId nor a key. */
  readonly tenantId: string | null;
  /** Null only when a rejected message had no type string. */
  readonly type: string | null;
  /** True when this is the original result published again for a command id seen before. */
  readonly duplicate: boolean;
  readonly processedAt: string;
}

export interface AcceptedCommandResult extends CommandResultBase {
  readonly status: 'accepted';
  readonly tenantId: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly version: number;
  /** Opaque consistency token for `X-Consistency-Token` (read-your-writes). */
  readonly position: string;
}

export interface RejectedCommandResult extends CommandResultBase {
  readonly status: 'rejected';
  readonly error: WireError;
  /** As an accepted result's: a rejection writes nothing, but its token covers what came before it. */
  readonly position?: string;
}

/** asyncapi.yaml, CommandResult: one per command that can be read as JSON with a commandId. */
export type CommandResult = AcceptedCommandResult | RejectedCommandResult;

export interface AcceptedResultInput {
  readonly commandId: string;
  readonly correlationId: string;
  readonly tenantId: string;
  readonly type: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly position: string;
  readonly processedAt: Date;
  readonly duplicate?: boolean;
}

export function acceptedResult(input: AcceptedResultInput): AcceptedCommandResult {
  return {
    commandId: input.commandId,
    correlationId: input.correlationId,
    tenantId: input.tenantId,
    type: input.type,
    status: 'accepted',
    aggregateId: input.aggregateId,
    version: input.version,
    position: input.position,
    duplicate: input.duplicate ?? false,
    processedAt: input.processedAt.toISOString(),
  };
}

export interface RejectedResultInput {
  readonly commandId: string;
  readonly correlationId: string;
  readonly tenantId: string | null;
  readonly type: string | null;
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: readonly ErrorDetail[] };
  readonly processedAt: Date;
  readonly duplicate?: boolean;
  readonly position?: string;
}

/** Accepts a DomainError as well as the parser's rejection (both have code, message, details?). */
export function rejectedResult(input: RejectedResultInput): RejectedCommandResult {
  return {
    commandId: input.commandId,
    correlationId: input.correlationId,
    tenantId: input.tenantId,
    type: input.type,
    status: 'rejected',
    error: { code: input.error.code, message: input.error.message, details: input.error.details ?? [] },
    ...(input.position !== undefined && { position: input.position }),
    duplicate: input.duplicate ?? false,
    processedAt: input.processedAt.toISOString(),
  };
}

/** The original result, published again for a command id seen before. */
export const asDuplicate = <TResult extends CommandResult>(result: TResult): TResult => ({ ...result, duplicate: true });
