import { ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problem } from '@vinsight/contracts';
import { isDatabaseUnavailable } from '@vinsight/database';
import {
  ConsistencyTimeoutError,
  NotFoundError,
  RateLimitedError,
  ReadApiError,
  StreamLimitError,
  StreamUnavailableError,
  TenantInactiveError,
  UnauthenticatedError,
  ValidationFailedError,
} from '../errors/read-api.errors';
import { isReadApiPath } from './read-api-paths';

/** Retry-After of a read that found Postgres unreachable: about what a restart or failover takes. */
export const DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
/** During an outage every request fails alike: one log line per this interval tells the story. */
const UNAVAILABLE_LOG_INTERVAL_MS = 5000;

/**
 * The one place where errors become HTTP answers for the read API's paths: problem+json
 * (RFC 9457). Other paths of the process (health, metrics) keep Nest's default handling.
 * Unknown errors are logged with the request id and answered without any internals. A database
 * that cannot be reached (down, restarting, out of connections) is the server's temporary state,
 * not a bug: 503 with Retry-After, so clients and load balancers retry instead of giving up.
 */
@Catch()
export class ProblemDetailsFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('ReadApi');
  private unavailableSince?: number;
  private unavailableUnlogged = 0;

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (host.getType() !== 'http' || !isReadApiPath(request.url)) {
      super.catch(exception, host);
      return;
    }
    const headers: Record<string, string> = {};
    const body = this.toProblem(exception, headers, request);
    body.requestId = String(request.headers['x-request-id'] ?? request.id);
    // One header at a time: the one way of setting headers that Fastify's reply and Express's
    // response share (the platform benchmark runs this module on both).
    reply.status(body.status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, headers: Record<string, string>, request: FastifyRequest): ProblemDetails {
    if (exception instanceof ReadApiError) return this.fromReadApiError(exception, headers);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) return problem(404, 'not-found', `no endpoint ${request.method} ${request.url.split('?')[0]}`);
      if (status < 500) return problem(status, 'http-error', exception.message);
    }
    if (isDatabaseUnavailable(exception)) {
      headers['retry-after'] = String(DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS);
      this.logUnavailable(exception);
      return problem(503, 'database-unavailable', 'the database cannot be reached at the moment; retry after Retry-After seconds');
    }
    // Errors raised by Fastify itself for a client mistake (bad body, media type, URL) carry a 4xx.
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return problem(statusCode, 'http-error', (exception as Error).message ?? 'bad request');
    }
    this.logger.error(
      { err: exception, requestId: request.headers['x-request-id'] ?? request.id, url: request.url },
      'unhandled error in the read API',
    );
    return problem(500, 'internal', 'an unexpected error occurred; quote the request id when reporting it');
  }

  private logUnavailable(exception: unknown): void {
    const now = Date.now();
    if (this.unavailableSince !== undefined && now - this.unavailableSince < UNAVAILABLE_LOG_INTERVAL_MS) {
      this.unavailableUnlogged += 1;
      return;
    }
    this.logger.warn(
      { err: exception, alsoAnswered503: this.unavailableUnlogged },
      `database unavailable, answering 503: ${(exception as Error).message}`,
    );
    this.unavailableSince = now;
    this.unavailableUnlogged = 0;
  }

  private fromReadApiError(error: ReadApiError, headers: Record<string, string>): ProblemDetails {
    if (error instanceof ValidationFailedError)
      return problem(400, 'validation-failed', 'the request has invalid parameters', error.errors);
    if (error instanceof NotFoundError) return problem(404, 'not-found', error.message);
    if (error instanceof UnauthenticatedError) {
      headers['www-authenticate'] = 'Bearer';
      return problem(401, 'unauthenticated', error.message);
    }
    if (error instanceof TenantInactiveError) return problem(403, 'tenant-inactive', error.message);
    if (error instanceof RateLimitedError) {
      headers['retry-after'] = String(error.retryAfterSeconds);
      return problem(429, 'rate-limited', error.message);
    }
    if (error instanceof StreamLimitError) {
      headers['retry-after'] = String(error.retryAfterSeconds);
      return problem(429, 'too-many-streams', error.message);
    }
    if (error instanceof StreamUnavailableError) {
      headers['retry-after'] = String(error.retryAfterSeconds);
      return problem(503, 'stream-unavailable', error.message);
    }
    if (error instanceof ConsistencyTimeoutError) {
      headers['retry-after'] = String(error.retryAfterSeconds);
      return problem(503, 'consistency-timeout', error.message);
    }
    return problem(500, 'internal', 'an unexpected error occurred');
  }
}
