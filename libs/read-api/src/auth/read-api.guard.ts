import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { decodeConsistencyToken } from '@vinsight/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsistencyWaiter } from '../consistency/consistency.waiter';
import { ReadContext } from '../database/read-context';
import { ReplicaRouter } from '../database/replica-router';
import { RateLimitedError, ValidationFailedError } from '../errors/read-api.errors';
import { TokenBucketLimiter } from '../rate-limit/token-bucket.limiter';
import { CredentialAuthenticator } from './credential.authenticator';

type ReadApiRequest = FastifyRequest & { readContext?: ReadContext };

/**
 * Runs before every /v1 handler, in this order: authenticate (the tenant comes from the
 * credential only), rate-limit per credential, then choose where to read: the replica while its
 * lag is low, and, with X-Consistency-Token, a database that includes that position.
 */
@Injectable()
export class ReadApiGuard implements CanActivate {
  constructor(
    private readonly authenticator: CredentialAuthenticator,
    private readonly limiter: TokenBucketLimiter,
    private readonly router: ReplicaRouter,
    private readonly consistency: ConsistencyWaiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<ReadApiRequest>();
    const reply = http.getResponse<FastifyReply>();
    const principal = await this.authenticator.authenticate(request.headers.authorization);

    const rate = this.limiter.take(principal.credentialId, performance.now());
    if (rate.limit > 0) reply.header('ratelimit-limit', String(rate.limit)).header('ratelimit-remaining', String(rate.remaining));
    if (!rate.allowed) throw new RateLimitedError(rate.retryAfterSeconds);

    let target = this.router.preferred();
    const token = request.headers['x-consistency-token'];
    if (token !== undefined) {
      const position = typeof token === 'string' ? decodeConsistencyToken(token.trim()) : null;
      if (!position) {
        throw new ValidationFailedError([{ field: 'X-Consistency-Token', message: 'must be the position of a command result' }]);
      }
      target = await this.consistency.targetIncluding(position, target);
    }
    reply.header('x-read-source', target);
    request.readContext = { ...principal, target };
    return true;
  }
}

/** The request's ReadContext, set by ReadApiGuard. */
export const Reader = createParamDecorator((_: unknown, context: ExecutionContext): ReadContext => {
  const request = context.switchToHttp().getRequest<ReadApiRequest>();
  if (!request.readContext) throw new Error('ReadApiGuard did not run for this route');
  return request.readContext;
});
