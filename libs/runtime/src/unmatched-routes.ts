import { PROBLEM_CONTENT_TYPE, ProblemDetails, problem } from '@vinsight/contracts';
import type { FastifyInstance } from 'fastify';

/** A route's path pattern as a matcher of concrete paths (`:id` one segment, `*` the rest). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** The methods served on `path` by some route, from the routes Fastify declared. */
export class DeclaredRoutes {
  private readonly routes: { pattern: RegExp; methods: string[] }[] = [];

  add(url: string, method: string | string[]): void {
    this.routes.push({ pattern: patternOf(url), methods: [method].flat().map((m) => m.toUpperCase()) });
  }

  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) route.methods.forEach((m) => methods.add(m));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }
}

/**
 * Every request no route matched answers problem+json (openapi.yaml), on every role and path,
 * whoever produced the 404 (Nest's default handler, or the read API's filter): 405 with `Allow`
 * when the path exists for other methods, else 404. A hook on the answer rather than a Nest
 * filter, because roles without the read API have no filter of their own and the read API's
 * filter leaves the health and metrics paths to Nest.
 */
export function answerUnmatchedAsProblems(fastify: FastifyInstance): void {
  const declared = new DeclaredRoutes();
  fastify.addHook('onRoute', (route) => declared.add(route.url, route.method));
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode !== 404 || request.routeOptions?.url !== undefined) return done(null, payload);
    const path = request.url.split('?')[0];
    const allowed = declared.methodsFor(path).filter((m) => m !== request.method);
    let body: ProblemDetails;
    if (allowed.length > 0) {
      reply.code(405).header('allow', allowed.join(', '));
      body = problem(405, 'method-not-allowed', `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
    } else if (String(reply.getHeader('content-type') ?? '').startsWith(PROBLEM_CONTENT_TYPE)) {
      return done(null, payload);
    } else {
      body = problem(404, 'not-found', `no endpoint ${request.method} ${path}`);
    }
    body.requestId = String(request.id);
    reply.header('content-type', PROBLEM_CONTENT_TYPE);
    done(null, JSON.stringify(body));
  });
}
