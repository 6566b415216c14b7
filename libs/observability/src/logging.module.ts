import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
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

/** What each HTTP log line carries: the caller's correlation id (else the request id) and trace. */
export function httpTraceFields(request: IncomingMessage & { id?: unknown }): Record<string, string> {
  const trace = parseTraceparent(firstHeader(request, 'traceparent'));
  return {
    correlationId: saneCorrelationId(firstHeader(request, 'x-correlation-id')) ?? String(request.id),
    ...(trace ? { traceId: trace.traceId, parentSpanId: trace.spanId } : {}),
  };
}

@Module({})
export class LoggingModule {
  static forRoot(options: { level: string; service: string }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            // Lines written while handling a Kafka message carry that message's ids.
            mixin: () => traceLogFields(),
            genReqId: (request, response) => {
              const id = requestIdOf(request);
              response.setHeader('x-request-id', id);
              return id;
            },
            customProps: (request) => httpTraceFields(request),
            // Probes and scrapes every few seconds would drown the useful lines.
            autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
      ],
    };
  }
}
