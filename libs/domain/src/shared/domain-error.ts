/**
 * The error codes a decider can return: the business subset of asyncapi.yaml, CommandResult (the others,
 * MALFORMED, UNKNOWN_COMMAND and TENANT_MISMATCH, are decided at the wire, in contracts).
 */
export const DOMAIN_ERROR_CODES = [
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'CONFLICT',
  'TENANT_INACTIVE',
  'PLAN_LIMIT_EXCEEDED',
  'MONITOR_PAUSED',
  'INVALID_STATE',
  'VALIDATION_FAILED',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export interface ErrorDetail {
  /** Path in the command envelope, e.g. `payload.checkInterval`. */
  readonly field: string;
  readonly message: string;
}

/** Plain data rather than an Error subclass: it is returned, serialised into results, never thrown. */
export interface DomainError {
  readonly code: DomainErrorCode;
  readonly message: string;
  readonly details?: readonly ErrorDetail[];
}

export function domainError(code: DomainErrorCode, message: string, details?: readonly ErrorDetail[]): DomainError {
  return details && details.length > 0 ? { code, message, details } : { code, message };
}

export const notFound = (message: string, field?: string): DomainError =>
  domainError('NOT_FOUND', message, field ? [{ field, message }] : undefined);

export const alreadyExists = (message: string, field?: string): DomainError =>
  domainError('ALREADY_EXISTS', message, field ? [{ field, message }] : undefined);

export const conflict = (message: string): DomainError => domainError('CONFLICT', message);

export const tenantInactive = (message: string): DomainError => domainError('TENANT_INACTIVE', message);

export const planLimitExceeded = (message: string, field?: string): DomainError =>
  domainError('PLAN_LIMIT_EXCEEDED', message, field ? [{ field, message }] : undefined);

export const monitorPaused = (message: string): DomainError => domainError('MONITOR_PAUSED', message);

export const invalidState = (message: string): DomainError => domainError('INVALID_STATE', message);

export const validationFailed = (field: string, message: string): DomainError =>
  domainError('VALIDATION_FAILED', message, [{ field, message }]);
