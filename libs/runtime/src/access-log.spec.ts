import { Controller, Get, INestApplication, Logger as NestLogger, Module, Param } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Test } from '@nestjs/testing';
import { LoggingModule } from '@vinsight/observability';
import { Logger } from 'nestjs-pino';
import request from 'supertest';
import { createHttpAdapter } from './http-adapter';

@Controller('v1/monitors')
class MonitorsController {
  private readonly logger = new NestLogger('Monitors');

  @Get(':id')
  async one(@Param('id') id: string) {
    // After an await: the request's context must survive it.
    await sleep(1);
    this.logger.log(`read ${id}`);
    return { id };
  }
}

@Controller()
class ProbesController {
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('metrics')
  metrics() {
    return '';
  }
}

@Controller('v1/slow')
class SlowController {
  @Get()
  async slow() {
    // Longer than the client below waits: it leaves first, and the answer goes to a closed connection.
    await sleep(400);
    return { done: true };
  }
}

@Module({ controllers: [MonitorsController, ProbesController, SlowController] })
class RoutesModule {}

type Line = Record<string, unknown> & { level: number; req?: Record<string, unknown>; res?: Record<string, unknown> };

/**
 * The access log of a real Nest application on the adapter every role runs on, its pino output
 * captured line by line: one line per request, found by the id the client was answered with.
 */
/** Every line the tests' applications log: nestjs-pino keeps the first application's logger for the whole process. */
const raw: string[] = [];
const destination = { write: (line: string) => void raw.push(line) };
const lines = (): Line[] => raw.map((line) => JSON.parse(line) as Line);

/** GET /v1/slow on a listening application, the connection closed by the client after 100 ms. */
async function abandonSlowRequest(app: INestApplication, requestId: string): Promise<void> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const req = get({ host: '127.0.0.1', port, path: '/v1/slow', headers: { 'x-request-id': requestId } });
  req.on('error', () => undefined);
  await sleep(100);
  req.destroy();
  // Past the handler's answer, so a second line for it would be there too.
  await sleep(700);
}

const abandonedLine = (requestId: string) =>
  expect.objectContaining({
    level: 30,
    req: { id: requestId, method: 'GET', url: '/v1/slow' },
    route: '/v1/slow',
    res: { statusCode: 499 },
    durationMs: expect.any(Number),
    msg: 'GET /v1/slow 499',
  });

describe('access log', () => {
  let app: NestFastifyApplication;
  /** The access lines of a request (the application's own lines carry its id too). */
  const byRequestId = (id: string) => lines().filter((line) => line.req?.id === id && line.res !== undefined);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RoutesModule, LoggingModule.forRoot({ level: 'info', service: 'read-api', destination })],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter({ shuttingDown: false }), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('logs the id the client sees, method, route pattern, status and duration at info', async () => {
    const response = await request(app.getHttpServer()).get('/v1/monitors/m-1?limit=5').expect(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = byRequestId(requestId);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 30,
        service: 'read-api',
        req: { id: requestId, method: 'GET', url: '/v1/monitors/m-1?limit=5' },
        route: '/v1/monitors/:id',
        res: { statusCode: 200 },
        durationMs: expect.any(Number),
        correlationId: requestId,
        msg: 'GET /v1/monitors/:id 200',
      }),
    ]);
  });

  it("puts the request's fields on the lines the application logs while handling it", async () => {
    const response = await request(app.getHttpServer()).get('/v1/monitors/m-3').set('x-correlation-id', 'corr-9').expect(200);
    const requestId = response.headers['x-request-id'];
    expect(lines().filter((line) => line.msg === 'read m-3')).toEqual([
      expect.objectContaining({
        context: 'Monitors',
        req: { id: requestId, method: 'GET', url: '/v1/monitors/m-3' },
        correlationId: 'corr-9',
      }),
    ]);
  });

  it("keeps a caller's sane X-Request-Id and X-Correlation-Id, each key once per line", async () => {
    const response = await request(app.getHttpServer())
      .get('/v1/monitors/m-2')
      .set('x-request-id', 'caller-req-42')
      .set('x-correlation-id', 'corr-7')
      .expect(200);
    expect(response.headers['x-request-id']).toBe('caller-req-42');
    expect(byRequestId('caller-req-42')).toEqual([expect.objectContaining({ correlationId: 'corr-7' })]);
    const line = raw.find((text) => text.includes('caller-req-42'))!;
    expect(line.match(/"correlationId":/g)).toHaveLength(1);
  });

  it('logs unknown paths at info under one route label', async () => {
    const response = await request(app.getHttpServer()).get('/no/such/path').expect(404);
    expect(byRequestId(response.headers['x-request-id'])).toEqual([
      expect.objectContaining({ level: 30, route: 'unmatched', req: expect.objectContaining({ method: 'GET' }), res: { statusCode: 404 } }),
    ]);
  });

  it('logs a request whose client left before the answer once, as 499', async () => {
    await abandonSlowRequest(app, 'abandoned-fastify-1');
    expect(byRequestId('abandoned-fastify-1')).toEqual([abandonedLine('abandoned-fastify-1')]);
  });

  it('logs probes and scrapes at debug, so not at info', async () => {
    const live = await request(app.getHttpServer()).get('/health/live').expect(200);
    const scrape = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(byRequestId(live.headers['x-request-id'])).toEqual([]);
    expect(byRequestId(scrape.headers['x-request-id'])).toEqual([]);
  });
});

/** The read API on Express (bench:api's comparison) logs the same lines through Nest middleware. */
describe('access log on Express', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RoutesModule, LoggingModule.forRoot({ level: 'info', service: 'read-api', destination })],
    }).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter(), { bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
  });

  afterAll(() => app.close());

  it('logs the access line and binds the request to the lines logged while handling it', async () => {
    const response = await request(app.getHttpServer()).get('/v1/monitors/m-4').expect(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const req = { id: requestId, method: 'GET', url: '/v1/monitors/m-4' };
    expect(lines().filter((line) => line.req?.id === requestId)).toEqual([
      expect.objectContaining({ msg: 'read m-4', req, correlationId: requestId }),
      expect.objectContaining({ level: 30, req, route: '/v1/monitors/:id', res: { statusCode: 200 }, msg: 'GET /v1/monitors/:id 200' }),
    ]);
  });

  it('logs a request whose client left before the answer once, as 499', async () => {
    await abandonSlowRequest(app, 'abandoned-express-1');
    expect(lines().filter((line) => line.req?.id === 'abandoned-express-1')).toEqual([abandonedLine('abandoned-express-1')]);
  });
});
