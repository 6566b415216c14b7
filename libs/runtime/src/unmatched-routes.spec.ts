import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { createHttpAdapter } from './http-adapter';
import { DeclaredRoutes } from './unmatched-routes';

@Controller('v1/monitors')
class MonitorsController {
  @Get(':id')
  one(@Param('id') id: string) {
    return { id };
  }
}

@Controller('health')
class HealthController {
  @Get('live')
  live() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [MonitorsController, HealthController] })
class RoutesModule {}

describe('unmatched routes answer problem+json (Nest on the roles adapter)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RoutesModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter({ shuttingDown: false }), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it.each(['/nope', '/v1/monitors', '/health/nothing', '/v1/monitors/a/b'])('GET %s: 404 problem with the request id', async (path) => {
    const response = await request(app.getHttpServer()).get(path).expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: 'urn:vinsight:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: `no endpoint GET ${path}`,
      requestId: response.headers['x-request-id'],
    });
  });

  it.each([
    ['post', '/v1/monitors/m-1'],
    ['delete', '/health/live'],
    ['put', '/health/live?x=1'],
  ] as const)('%s %s: 405 problem naming the allowed methods', async (method, path) => {
    const response = await request(app.getHttpServer())[method](path).expect(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: 'urn:vinsight:problem:method-not-allowed',
      title: 'Method Not Allowed',
      status: 405,
      requestId: expect.any(String),
    });
  });

  it('leaves matched routes alone', async () => {
    await request(app.getHttpServer()).get('/v1/monitors/m-1').expect(200);
  });
});

describe('DeclaredRoutes', () => {
  it('matches parameters by segment and wildcards by rest', () => {
    const routes = new DeclaredRoutes();
    routes.add('/v1/monitors/:id', 'GET');
    routes.add('/v1/monitors/:id/checks', ['GET']);
    routes.add('/files/*', 'POST');
    expect(routes.methodsFor('/v1/monitors/abc')).toEqual(['GET', 'HEAD']);
    expect(routes.methodsFor('/v1/monitors/abc/checks')).toEqual(['GET', 'HEAD']);
    expect(routes.methodsFor('/v1/monitors/a/b/c')).toEqual([]);
    expect(routes.methodsFor('/files/x/y')).toEqual(['POST']);
  });
});
