import { Controller, Get, Module, Param } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { parsePrometheusText, sumOf } from '../../../../test/ops/support/prometheus-text';
import { MetricsModule } from './metrics.module';
import { AppMetrics } from './app-metrics';

const TEST_POOL = Symbol('TEST_POOL');

@Controller('v1/monitors')
class MonitorsController {
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }
}

@Module({
  controllers: [MonitorsController],
  providers: [{ provide: TEST_POOL, useValue: { totalCount: 3, idleCount: 2, waitingCount: 0 } }],
  exports: [TEST_POOL],
})
class PoolsModule {}

describe('MetricsModule (Nest + Fastify)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PoolsModule,
        MetricsModule.forRoot({
          service: 'read-api',
          pools: [
            { name: 'api', token: TEST_POOL },
            { name: 'replica', token: Symbol('NOT_PROVIDED') },
          ],
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('serves Prometheus text with HTTP latency by route pattern, never by raw URL', async () => {
    await request(app.getHttpServer()).get('/v1/monitors/a').expect(200);
    await request(app.getHttpServer()).get('/v1/monitors/b').expect(200);
    await request(app.getHttpServer()).get('/no/such/path').expect(404);

    const response = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheusText(response.text);
    const count = (labels: Record<string, string>) => sumOf(samples, 'http_request_duration_seconds_count', labels);
    expect(count({ route: '/v1/monitors/:id', method: 'GET', status_code: '200', service: 'read-api' })).toBe(2);
    expect(count({ route: 'unmatched', status_code: '404' })).toBe(1);
    expect(samples.some((s) => s.labels.route === '/v1/monitors/a')).toBe(false);
  });

  it('reports the pools it found and skips the ones this role lacks', async () => {
    const samples = parsePrometheusText((await request(app.getHttpServer()).get('/metrics')).text);
    expect(sumOf(samples, 'vinsight_pg_pool_connections', { pool: 'api', state: 'active' })).toBe(1);
    expect(samples.some((s) => s.labels.pool === 'replica')).toBe(false);
  });

  it('exposes the counters other modules record through AppMetrics', async () => {
    app.get(AppMetrics).recordCommand('CreateTenant', 'duplicate');
    const samples = parsePrometheusText((await request(app.getHttpServer()).get('/metrics')).text);
    expect(sumOf(samples, 'vinsight_commands_total', { type: 'CreateTenant', outcome: 'duplicate' })).toBe(1);
    expect(sumOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
