import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppMetrics } from './app-metrics';

/** Prometheus scrape endpoint, on the same port as the probes (README, Health). */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: AppMetrics) {}

  @Get('metrics')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
