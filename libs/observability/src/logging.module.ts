import { randomUUID } from 'node:crypto';
import { DynamicModule, Injectable, Module, OnModuleInit, RequestMethod } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
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

/** The route pattern of a request, stamped on the raw request by AccessLogRouteHook. */
const ROUTE = Symbol('route');
/** The trace fields of a request, computed once: see httpTraceFields. */
const TRACE_FIELDS = Symbol('traceFields');

type LoggedRequest = IncomingMessage & { id?: unknown; [ROUTE]?: string; [TRACE_FIELDS]?: Record<string, string> };

/**
 * What each HTTP log line carries: the caller's correlation id (else the request id) and trace.
 * Computed once per request: pino-http asks at the start and again at the end, and binds the
 * fields a second time, as duplicate JSON keys, when the answers differ (the read API writes the
 * correlation id it settles on into the request's headers in between).
 */
export function httpTraceFields(request: LoggedRequest): Record<string, string> {
  request[TRACE_FIELDS] ??= traceFieldsOf(request);
  return request[TRACE_FIELDS];
}

function traceFieldsOf(request: LoggedRequest): Record<string, string> {
  const trace = parseTraceparent(firstHeader(request, 'traceparent'));
  return {
    correlationId: saneCorrelationId(firstHeader(request, 'x-correlation-id')) ?? String(request.id),
    ...(trace ? { traceId: trace.traceId, parentSpanId: trace.spanId } : {}),
  };
}

const PROBE_PATH = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Access log levels: probes and scrapes every few seconds at debug (they would drown the useful
 * lines), server errors at error, everything else (a client's 4xx included: it is the client's
 * mistake, not ours to be paged for) at info. A probe's 503 is a dependency reported down
 * (readiness, every few seconds for the whole outage): warn, the level of the outage's other lines.
 */
export function accessLogLevel(url: string | undefined, statusCode: number, error?: Error): Level {
  const probe = PROBE_PATH.test(url ?? '');
  if (probe && statusCode === 503 && !error) return 'warn';
  if (error || statusCode >= 500) return 'error';
  return probe ? 'debug' : 'info';
}

/**
 * Fastify resolves the route before its onRequest hooks run; pino-http sees only the raw
 * request, so the pattern (`/v1/monitors/:id`, never the raw URL) is stamped on it here. Added
 * while modules initialise, before Nest declares its routes, so it applies to all of them.
 */
@Injectable()
export class AccessLogRouteHook implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') return;
    adapter.getInstance<FastifyInstance>().addHook('onRequest', (request, _reply, done) => {
      (request.raw as LoggedRequest)[ROUTE] = request.routeOptions?.url ?? UNMATCHED_ROUTE;
      done();
    });
  }
}

@Module({})
export class LoggingModule {
  static forRoot(options: { level: string; service: string; destination?: DestinationStream }): DynamicModule {
    return {
      module: LoggingModule,
      providers: [AccessLogRouteHook],
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default pattern matches no request under NestJS 12's Fastify adapter.
          forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            // Lines written while handling a Kafka message carry that message's ids.
            mixin: () => traceLogFields(),
            // Fastify's request id (the X-Request-Id answered, see createHttpAdapter) is on the
            // raw request already; this serves platforms that have none.
            genReqId: (request, response) => {
              const id = requestIdOf(request);
              response.setHeader('x-request-id', id);
              return id;
            },
            customProps: (request) => httpTraceFields(request),
            customLogLevel: (request, response, error) => accessLogLevel(request.url, response.statusCode, error),
            customSuccessMessage: (request, response) => `${request.method} ${routeOf(request)} ${response.statusCode}`,
            customErrorMessage: (request, response) => `${request.method} ${routeOf(request)} ${response.statusCode}`,
            // The request was serialised when it arrived, before routing stamped its pattern.
            customSuccessObject: (request, _response, fields: object) => ({ route: routeOf(request), ...fields }),
            customErrorObject: (request, _response, _error, fields: object) => ({ route: routeOf(request), ...fields }),
            customAttributeKeys: { responseTime: 'durationMs' },
            serializers: {
              req: (request: { id: unknown; method: string; url: string }) => ({
                id: request.id,
                method: request.method,
                url: request.url,
              }),
              res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
            },
            ...(options.destination ? { stream: options.destination } : {}),
          },
        }),
      ],
    };
  }
}

function routeOf(request: IncomingMessage): string {
  return (request as LoggedRequest)[ROUTE] ?? UNMATCHED_ROUTE;
}
