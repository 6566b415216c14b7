import { PROBLEM_CONTENT_TYPE, ProblemDetails, problem } from '@vinsight/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Fastify's router rejects these before any route, hook or Nest exception filter runs. */
const URL_ERRORS: Record<string, string> = {
  // e.g. GET /v1/monitors/%ZZ
  FST_ERR_BAD_URL: 'the URL path is not validly percent-encoded',
  // a path segment longer than the router's maxParamLength (100): no id of ours is that long
  FST_ERR_MAX_PARAM_LENGTH: 'a path segment of the URL is too long',
};

export function problemForFrameworkError(error: Pick<FastifyError, 'code' | 'statusCode'>): ProblemDetails {
  const detail = URL_ERRORS[error.code];
  if (detail) return problem(400, 'invalid-url', detail);
  // Only the router's async-constraint failure remains: ours to fix, never the client's.
  return problem(500, 'internal', 'an unexpected error occurred; quote the request id when reporting it');
}

/**
 * FastifyAdapter's `frameworkErrors`: errors raised by the router answer in the same
 * problem+json shape as every other error (openapi.yaml) instead of Fastify's own JSON. A bad or
 * overlong URL is the client's mistake: 400 (Fastify itself says 414 for the overlong one; to a
 * client both mean "this URL names nothing we could serve"). The raw URL is not echoed back.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body: ProblemDetails = { ...problemForFrameworkError(error), requestId: String(request.id) };
  reply.code(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
