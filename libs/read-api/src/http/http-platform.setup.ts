import fastifyCompress from '@fastify/compress';
import { Provider } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { correlationIdFrom, requestIdFrom } from './request-ids';

/**
 * Fastify-level concerns of the read API, installed while the application is being created
 * (before Nest declares its routes, so the hooks apply to every route):
 * - X-Request-Id and X-Correlation-Id on every response; the request id is written back into
 *   the request headers so the pino logger logs the same id the client sees;
 * - response compression (gzip/deflate/br, only above 1 KiB where it pays off).
 * An async provider, because Nest awaits those before it declares routes: a Fastify hook added
 * later would not apply to the routes declared before it.
 *
 * Fastify is the platform the services run on (runService), chosen by measurement: in
 * `npm run bench:api` the same module on Express (@nestjs/platform-express, a devDependency, so
 * the module also runs there) costs two to four times the CPU per GET /v1/monitors/:id
 * (2026-11-25, shared 2-core machine: 0.93-1.09 ms against 0.27-0.47 ms over four runs) and
 * serves 0.2-0.5 times the requests per second. On Express it gets
 * the ids but no compression, which changes nothing for the benchmarked single resources (under
 * the 1 KiB threshold) and could only flatter Express.
 */
export const HTTP_PLATFORM_SETUP = Symbol('HTTP_PLATFORM_SETUP');

export const httpPlatformSetup: Provider = {
  provide: HTTP_PLATFORM_SETUP,
  inject: [HttpAdapterHost, { token: APP_CONFIG, optional: true }],
  useFactory: async (adapterHost: HttpAdapterHost, config?: AppConfig) => {
    const adapter = adapterHost.httpAdapter;
    const platform = adapter?.getType();
    const corsOrigins = config?.http.corsAllowedOrigins ?? [];
    if (platform === 'fastify') {
      if (corsOrigins.length > 0) adapter.enableCors(corsOptions(corsOrigins));
      const fastify = adapter.getInstance<FastifyInstance>();
      fastify.addHook('onRequest', (request, reply, done) => {
        // Fastify's request id is already the caller's sane X-Request-Id or a new one (createHttpAdapter).
        const { requestId, correlationId } = assignRequestIds(request, String(request.id));
        reply.header('x-request-id', requestId).header('x-correlation-id', correlationId);
        done();
      });
      await fastify.register(fastifyCompress, { threshold: 1024, encodings: ['br', 'gzip', 'deflate'] });
    } else if (platform === 'express') {
      adapter.getInstance<NodeMiddlewareHost>().use((request, response, next) => {
        const { requestId, correlationId } = assignRequestIds(request);
        response.setHeader('x-request-id', requestId);
        response.setHeader('x-correlation-id', correlationId);
        next();
      });
    } else {
      throw new Error('the read API needs the Fastify platform (@nestjs/platform-fastify)');
    }
    return true;
  },
};

/** Headers a dashboard sends, and those of our answers it may read (request ids, ETag, rate limits, Retry-After). */
const CORS_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'if-none-match',
  'x-request-id',
  'x-correlation-id',
  'x-consistency-token',
  'traceparent',
];
const CORS_EXPOSED_HEADERS = [
  'x-request-id',
  'x-correlation-id',
  'etag',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-read-source',
];

/**
 * CORS_ALLOWED_ORIGINS: browsers on these origins may read the API (GET, HEAD); a preflight is
 * answered 204 by @fastify/cors (through Nest's enableCors) before any route or guard, so it
 * needs no credential. No cookies are involved (credentials stay off): dashboards send a bearer
 * token, which CORS treats as an ordinary header.
 */
function corsOptions(origins: string[]) {
  return {
    origin: origins.includes('*') ? '*' : origins,
    methods: ['GET', 'HEAD'],
    allowedHeaders: CORS_REQUEST_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
    strictPreflight: true,
  };
}

/** What the read API needs of an Express application, without depending on Express's types. */
interface NodeMiddlewareHost {
  use(middleware: (request: IncomingMessage, response: ServerResponse, next: () => void) => void): unknown;
}

/** The request's ids, written back into its headers so the logger logs what the client sees. */
function assignRequestIds(
  request: { headers: IncomingMessage['headers'] },
  requestId = requestIdFrom(request.headers['x-request-id']),
): { requestId: string; correlationId: string } {
  const correlationId = correlationIdFrom(request.headers['x-correlation-id'], requestId);
  request.headers['x-request-id'] = requestId;
  request.headers['x-correlation-id'] = correlationId;
  return { requestId, correlationId };
}
