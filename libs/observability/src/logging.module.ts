import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reuses a caller's X-Request-Id when it is sane, so one id follows a request across services. */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
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
            genReqId: (request, response) => {
              const id = requestIdOf(request);
              response.setHeader('x-request-id', id);
              return id;
            },
            customProps: (request) => {
              const correlation = request.headers['x-correlation-id'];
              return { correlationId: (Array.isArray(correlation) ? correlation[0] : correlation) ?? request.id };
            },
            // Probes and scrapes every few seconds would drown the useful lines.
            autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
      ],
    };
  }
}
