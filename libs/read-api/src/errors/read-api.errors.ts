/**
 * Errors of the read API with a stable code. Services throw these; one filter turns them into
 * problem+json (http/problem-details.filter.ts), so no service knows about HTTP.
 */
export interface FieldError {
  field: string;
  message: string;
}

export type ReadApiErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'TENANT_INACTIVE'
  | 'RATE_LIMITED'
  | 'CONSISTENCY_TIMEOUT'
  | 'TOO_MANY_STREAMS'
  | 'STREAM_UNAVAILABLE';

export abstract class ReadApiError extends Error {
  abstract readonly code: ReadApiErrorCode;
}

export class ValidationFailedError extends ReadApiError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export class NotFoundError extends ReadApiError {
  readonly code = 'NOT_FOUND';
  constructor(readonly resource: string) {
    super(`${resource} not found`);
  }
}

export class UnauthenticatedError extends ReadApiError {
  readonly code = 'UNAUTHENTICATED';
}

export class TenantInactiveError extends ReadApiError {
  readonly code = 'TENANT_INACTIVE';
  constructor() {
    super('the tenant is deactivated');
  }
}

export class RateLimitedError extends ReadApiError {
  readonly code = 'RATE_LIMITED';
  constructor(readonly retryAfterSeconds: number) {
    super('too many requests for this credential');
  }
}

export class ConsistencyTimeoutError extends ReadApiError {
  readonly code = 'CONSISTENCY_TIMEOUT';
  constructor(readonly retryAfterSeconds: number) {
    super('the read models do not include the requested position yet');
  }
}

/** GET /v1/stream beyond the tenant's open streams (STREAM_MAX_CONNECTIONS_PER_TENANT), or while shutting down. */
export class StreamLimitError extends ReadApiError {
  readonly code = 'TOO_MANY_STREAMS';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** GET /v1/stream while the process cannot read Kafka (its consumer did not start). */
export class StreamUnavailableError extends ReadApiError {
  readonly code = 'STREAM_UNAVAILABLE';
  readonly retryAfterSeconds = 5;
  constructor() {
    super('the event stream cannot read its source at the moment; retry after Retry-After seconds');
  }
}
