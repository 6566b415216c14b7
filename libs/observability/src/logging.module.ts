import { randomUUID } from 'node:crypto';
import {
  DynamicModule,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestMiddleware,
  NestModule,
  OnModuleInit,
  RequestMethod,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { DestinationStream, Level } from 'pino';
import { UNMATCHED_ROUTE } from './metrics/http-metrics.hook';
import { saneCorrelationId } from './tracing/correlation-id';
import { parseTraceparent } from './tracing/trace-context';
import { traceLogFields } from './tracing/trace-scope';

function firstHeader(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers[name];
  return Array.isArray(header) ? header[0] : header;
}

/** Reuses a caller's X-Request-Id when it is sane, so one id follows a request across services. */
export function requestIdOf(request: IncomingMessage): string {
  return saneCorrelationId(firstHeader(request, 'x-request-id')) ?? randomUUID();
}

/** What every line logged while handling a request carries: the request, the caller's correlation id (else the request id) and trace. */
function requestBindings(request: IncomingMessage, id: string, url: string) {
  const trace = parseTraceparent(firstHeader(request, 'traceparent'));
  return {
    req: { id, method: request.method, url },
    correlationId: saneCorrelationId(firstHeader(request, 'x-correlation-id')) ?? id,
    ...(trace ? { traceId: trace.traceId, parentSpanId: trace.spanId } : {}),
  };
}

type RequestLogger = PinoLogger['logger'];

/**
 * The status an access line gives a request whose client went away before it was answered
 * (nginx's "client closed request"): nothing was sent, and without a line of its own a request
 * a dashboard gave up on (a long token wait, a slow query) would leave no trace at all.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/** The one access line of a request; `route` is its pattern (`/v1/monitors/:id`), never the raw URL. */
function logAccess(
  logger: RequestLogger,
  method: string | undefined,
  url: string | undefined,
  route: string,
  statusCode: number,
  durationMs: number,
) {
  logger[accessLogLevel(url, statusCode)](
    { route, res: { statusCode }, durationMs: Math.round(durationMs) },
    `${method} ${route} ${statusCode}`,
  );
}

const PROBE_PATH = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Access log levels: probes and scrapes every few seconds at debug (they would drown the useful
 * lines), server errors at error, everything else (a client's 4xx included: it is the client's
 * mistake, not ours to be paged for) at info. A probe's 503 is a dependency reported down
 * (readiness, every few seconds for the whole outage): warn, the level of the outage's other lines.
 */
export function accessLogLevel(url: string | undefined, statusCode: number): Level {
  const probe = PROBE_PATH.test(url ?? '');
  if (probe && statusCode === 503) return 'warn';
  if (statusCode >= 500) return 'error';
  return probe ? 'debug' : 'info';
}

const REQUEST_LOGGER = Symbol('requestLogger');

type LoggedFastifyRequest = FastifyRequest & { [REQUEST_LOGGER]?: RequestLogger };

/**
 * The access log and each request's logging context, as two Fastify hooks (every role runs on
 * Fastify) rather than a middleware, which Nest would run through @fastify/middie and its path
 * matching on every request. onRequest binds requestBindings to a child of the application's
 * logger and runs the rest of the request inside nestjs-pino's context, so every line logged
 * while handling it carries them; onResponse writes the access line, or the connection's close when
 * the client left first (CLIENT_CLOSED_REQUEST). Added while modules
 * initialise, before Fastify builds the routes Nest declared, so it applies to all of them.
 */
@Injectable()
export class FastifyAccessLog implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstance>();
    const routeOf = (request: FastifyRequest) => request.routeOptions?.url ?? UNMATCHED_ROUTE;
    const logAbandoned = (reply: FastifyReply) => {
      const request: LoggedFastifyRequest = reply.request;
      const logger = request[REQUEST_LOGGER];
      if (logger) logAccess(logger, request.method, request.url, routeOf(request), CLIENT_CLOSED_REQUEST, reply.elapsedTime);
    };
    fastify.addHook('onRequest', (request: LoggedFastifyRequest, reply, done) => {
      unansweredOf(request.raw.socket, logAbandoned).add(reply);
      // Fastify's request id is the X-Request-Id answered (see createHttpAdapter).
      this.logger.runInContext(
        () => {
          request[REQUEST_LOGGER] = this.logger.logger;
          done();
        },
        { bindings: requestBindings(request.raw, request.id, request.url) },
      );
    });
    fastify.addHook('onResponse', (request: LoggedFastifyRequest, reply, done) => {
      (request.raw.socket as TrackedSocket | null)?.[UNANSWERED]?.delete(reply);
      const logger = request[REQUEST_LOGGER];
      if (logger) logAccess(logger, request.method, request.url, routeOf(request), reply.statusCode, reply.elapsedTime);
      done();
    });
  }
}

const UNANSWERED = Symbol('unansweredRequests');

type TrackedSocket = Socket & { [UNANSWERED]?: Set<FastifyReply> };

/**
 * The replies a connection still owes. A client abandons an HTTP/1.1 request only by
 * closing its connection, and Fastify then runs no onResponse; one 'close' listener per
 * connection finds those requests. (Fastify's onRequestAbort hook would add a listener to every
 * request: 10-30 µs more CPU per request on the read API's single read when it was measured.)
 */
function unansweredOf(socket: TrackedSocket, onAbandoned: (reply: FastifyReply) => void): Set<FastifyReply> {
  const known = socket[UNANSWERED];
  if (known !== undefined) return known;
  const unanswered = new Set<FastifyReply>();
  socket[UNANSWERED] = unanswered;
  socket.once('close', () => {
    for (const reply of unanswered) onAbandoned(reply);
    unanswered.clear();
  });
  return unanswered;
}

/** The same on Express (the read API's comparison in bench:api), as Nest middleware. */
@Injectable()
export class ExpressAccessLog implements NestMiddleware {
  constructor(private readonly logger: PinoLogger) {}

  use(request: IncomingMessage & { originalUrl?: string; route?: { path?: string } }, response: ServerResponse, next: () => void): void {
    const id = requestIdOf(request);
    response.setHeader('x-request-id', id);
    const url = request.originalUrl ?? request.url ?? '';
    const started = performance.now();
    this.logger.runInContext(
      () => {
        const logger = this.logger.logger;
        const route = () => request.route?.path ?? UNMATCHED_ROUTE;
        // 'close' follows 'finish' when the answer went out; alone, the client left before it.
        response.once('close', () => {
          const statusCode = response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST;
          logAccess(logger, request.method, url, route(), statusCode, performance.now() - started);
        });
        next();
      },
      { bindings: requestBindings(request, id, url) },
    );
  }
}

interface LoggingOptions {
  level: string;
  service: string;
  destination?: DestinationStream;
}

@Module({})
export class LoggingModule implements NestModule {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      providers: [FastifyAccessLog, ExpressAccessLog],
      imports: [
        LoggerModule.forRoot({
          // No middleware of nestjs-pino's: FastifyAccessLog or ExpressAccessLog bind each
          // request. The pino-http instance built from these options is the application's logger.
          forRoutes: [],
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            // Lines written while handling a Kafka message carry that message's ids.
            mixin: () => traceLogFields(),
            // pino-http's own serializers expect Node's request and response; these log the
            // access line's objects as they are (a response's `raw` is the object logged).
            serializers: {
              req: (request: { id: unknown; method: string; url: string }) => ({
                id: request.id,
                method: request.method,
                url: request.url,
              }),
              res: (response: { raw: { statusCode: number } }) => ({ statusCode: response.raw.statusCode }),
            },
            ...(options.destination ? { stream: options.destination } : {}),
          },
        }),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.adapterHost.httpAdapter?.getType() === 'express')
      consumer.apply(ExpressAccessLog).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
