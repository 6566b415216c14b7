import type { ErrorDetail } from '@vinsight/domain';
import { DOMAIN_ERROR_CODES } from '@vinsight/domain';

/** Every error code of CONTRACT §3: the domain's, plus the ones decided at the wire. */
export const ERROR_CODES = ['MALFORMED', 'UNKNOWN_COMMAND', 'TENANT_MISMATCH', ...DOMAIN_ERROR_CODES] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The `error` object of a rejected command result. `details` is always present, maybe empty. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: readonly ErrorDetail[];
}

export type { ErrorDetail };
