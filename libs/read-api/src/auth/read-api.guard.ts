import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { decodeConsistencyToken } from '@vinsight/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsistencyWaiter } from '../consistency/consistency.waiter';
import { ReadContext } from '../database/read-context';
import { ReplicaRouter } from '../database/replica-router';
import { RateLimitedError, ValidationFailedError } from '../errors/read-api.errors';
import { TokenBucketLimiter } from '../rate-limit/token-bucket.limiter';
import { CredentialAuthenticator, Principal } from './credential.authenticator';

type ReadApiRequest = FastifyRequest & { readContext?: ReadContext };

/**
 * Runs before every /v1 handler: authenticate (the tenant comes from the credential only),
 * rate-limit per credential, and choose where to read: the replica while its lag is low.
 *
 * With X-Consistency-Token the position gates authentication too: first wait for a database
 * that includes the position, then authenticate against the primary (which includes whatever
 * the replica does) without the credential cache. A key revoked, or a tenant deleted, by the
 * command whose position is sent is therefore refused every time, and a key issued by it is
 * accepted at once. The header must at least carry a bearer token before anything waits.
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
    const { authorization } = request.headers;
    const token = request.headers['x-consistency-token'];
    let target = this.router.preferred();
    let principal: Principal;
    if (token === undefined) {
      principal = await this.authenticator.authenticate(authorization);
    } else {
      const position = typeof token === 'string' ? decodeConsistencyToken(token.trim()) : null;
      if (!position) {
        await this.authenticator.authenticate(authorization);
        throw new ValidationFailedError([{ field: 'X-Consistency-Token', message: 'must be the position of a command result' }]);
      }
      this.authenticator.bearerToken(authorization);
      target = await this.consistency.targetIncluding(position, target).catch(async (error: unknown) => {
        // A credential that is not valid anyway is told so rather than to come back later.
        await this.authenticator.authenticate(authorization);
        throw error;
      });
      principal = await this.authenticator.authenticate(authorization, { fresh: true });
    }

    const rate = this.limiter.take(principal.credentialId, performance.now());
    if (rate.limit > 0) {
      reply
        .header('ratelimit-limit', String(rate.limit))
        .header('ratelimit-remaining', String(rate.remaining))
        .header('ratelimit-reset', String(rate.resetSeconds));
    }
    if (!rate.allowed) throw new RateLimitedError(rate.retryAfterSeconds);

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
