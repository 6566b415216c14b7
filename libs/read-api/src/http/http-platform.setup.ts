import fastifyCompress from '@fastify/compress';
import { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { correlationIdFrom, requestIdFrom } from './request-ids';

/**
 * Fastify-level concerns of the read API, installed while the application is being created
 * (before Nest declares its routes, so the hooks apply to every route):
 * - X-Request-Id and X-Correlation-Id on every response; the request id is written back into
 *   the request headers so the pino logger logs the same id the client sees;
 * - response compression (gzip/deflate/br, only above 1 KiB where it pays off).
 * An async provider, because Nest awaits those before it declares routes: a Fastify hook added
 * later would not apply to the routes declared before it.
 */
export const HTTP_PLATFORM_SETUP = Symbol('HTTP_PLATFORM_SETUP');

export const httpPlatformSetup: Provider = {
  provide: HTTP_PLATFORM_SETUP,
  inject: [HttpAdapterHost],
  useFactory: async (adapterHost: HttpAdapterHost) => {
    const adapter = adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') {
      throw new Error('the read API needs the Fastify platform (@nestjs/platform-fastify)');
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      const requestId = requestIdFrom(request.headers['x-request-id']);
      const correlationId = correlationIdFrom(request.headers['x-correlation-id'], requestId);
      request.headers['x-request-id'] = requestId;
      request.headers['x-correlation-id'] = correlationId;
      reply.header('x-request-id', requestId).header('x-correlation-id', correlationId);
      done();
    });
    await fastify.register(fastifyCompress, { threshold: 1024, encodings: ['br', 'gzip', 'deflate'] });
    return true;
  },
};
