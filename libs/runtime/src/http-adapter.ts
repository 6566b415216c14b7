import type { IncomingMessage } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { requestIdOf } from '@vinsight/observability';
import { answerFrameworkError } from './framework-errors';
import { answerUnmatchedAsProblems } from './unmatched-routes';

/** What the adapter needs to know of the process's lifecycle. */
export interface DrainingState {
  readonly shuttingDown: boolean;
}

/**
 * The Fastify adapter every role runs on. Fastify's request id is the X-Request-Id the client
 * sees (its own when sane, else a new UUID), so the access log, error answers and the response
 * header all carry the same id rather than Fastify's `req-N` counter.
 */
export function createHttpAdapter(lifecycle: DrainingState): FastifyAdapter {
  // Replaces the adapter's own frameworkErrors, which only adds the headers of
  // app.useSecurityHeaders(); no role uses those.
  const adapter = new FastifyAdapter({
    trustProxy: true,
    frameworkErrors: answerFrameworkError,
    genReqId: (request: IncomingMessage) => requestIdOf(request),
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  answerUnmatchedAsProblems(fastify);
  closeConnectionsWhenDraining(adapter, lifecycle);
  return adapter;
}

/**
 * Once shutting down, every answer closes its connection. A client's next request then opens a
 * new connection, which the listener serves during the drain delay and refuses cleanly once
 * closed, instead of arriving on an idle keep-alive socket just as the server destroys it (a
 * reset the client cannot tell from a failure). Added before Nest declares its routes, so it
 * applies to every one of them.
 */
function closeConnectionsWhenDraining(adapter: FastifyAdapter, lifecycle: DrainingState): void {
  adapter.getInstance().addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.shuttingDown) reply.header('connection', 'close');
    done(null, payload);
  });
}
