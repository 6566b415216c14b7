import type { ErrorDetail } from '@vinsight/domain';
import { DOMAIN_ERROR_CODES } from '@vinsight/domain';

/**
 * Every error code of asyncapi.yaml, CommandResult: the domain's, plus the ones decided at the wire, plus
 * INTERNAL_ERROR: the processor failed on this command (a defect, not the caller's mistake); the
 * message carries a reference to the logged error.
 */
export const ERROR_CODES = ['MALFORMED', 'UNKNOWN_COMMAND', 'TENANT_MISMATCH', ...DOMAIN_ERROR_CODES, 'INTERNAL_ERROR'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The `error` object of a rejected command result. `details` is always present, maybe empty. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: readonly ErrorDetail[];
}

export type { ErrorDetail };
