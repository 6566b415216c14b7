import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AppMetrics } from './app-metrics';

/** Requests that matched no route share one label, so scanners cannot explode the series count. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request in Fastify's onResponse hook, labelled by the route pattern
 * (`/v1/monitors/:id`, never the raw URL). A hook rather than a Nest interceptor: it also sees
 * 404s, body-parser errors and requests that guards reject.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: AppMetrics,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions?.url ?? UNMATCHED_ROUTE;
      this.metrics.observeHttpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }
}
