import { freePort, Role, roleEnvironment, ServiceProcess } from '../e2e/service-process';

/**
 * URLs Fastify's router rejects before any route, hook or Nest filter runs answer in the
 * repository's problem+json shape (openapi.yaml), not Fastify's own JSON, on every role.
 */
describe('router errors as problem+json', () => {
  const services: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
  });

  // An overlong segment is the router's error only where a route has a parameter there.
  const MALFORMED = ['/v1/monitors/%ZZ', '/v1/monitors/%E0%A4%A', '/health/%ZZ'];
  const OVERLONG = [`/v1/monitors/${'a'.repeat(101)}`, `/v1/monitors/${'a'.repeat(2000)}/checks`];

  it.each([
    ['read-api', [...MALFORMED, ...OVERLONG]],
    ['command-processor', MALFORMED],
  ] as [Role, string[]][])('%s answers malformed and overlong URLs with a 400 problem', async (role, paths) => {
    const service = ServiceProcess.start(role, roleEnvironment({ LOG_LEVEL: 'error', SHUTDOWN_DRAIN_DELAY_MS: '0' }), await freePort());
    services.push(service);
    await service.waitFor('/health/live', 60000);
    for (const path of paths) {
      const response = await fetch(service.url(path), { headers: { authorization: 'Bearer whatever' } });
      const body = await response.json();
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 400,
        type: expect.stringMatching(/^application\/problem\+json(;|$)/),
      });
      expect(body).toEqual({
        type: 'urn:vinsight:problem:invalid-url',
        title: 'Bad Request',
        status: 400,
        detail: expect.any(String),
        requestId: expect.any(String),
      });
      expect(JSON.stringify(body)).not.toContain('FST_ERR');
    }
  });

  it.each([
    [
      'read-api',
      ['/nothing', '/v1/nothing-here', '/health/nothing'],
      [
        ['POST', '/v1/monitors'],
        ['DELETE', '/health/live'],
      ],
    ],
    [
      'command-processor',
      ['/nothing', '/v1/monitors'],
      [
        ['POST', '/health/ready'],
        ['PUT', '/metrics'],
      ],
    ],
  ] as [Role, string[], [string, string][]][])(
    '%s answers unknown paths 404 and wrong methods 405, as problems',
    async (role, unknown, wrongMethods) => {
      const service = ServiceProcess.start(role, roleEnvironment({ LOG_LEVEL: 'error', SHUTDOWN_DRAIN_DELAY_MS: '0' }), await freePort());
      services.push(service);
      await service.waitFor('/health/live', 60000);
      for (const path of unknown) {
        const response = await fetch(service.url(path), { headers: { 'x-request-id': 'router-404' } });
        expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
          path,
          status: 404,
          type: expect.stringMatching(/^application\/problem\+json(;|$)/),
        });
        expect(await response.json()).toEqual({
          type: 'urn:vinsight:problem:not-found',
          title: 'Not Found',
          status: 404,
          detail: `no endpoint GET ${path}`,
          requestId: 'router-404',
        });
      }
      for (const [method, path] of wrongMethods) {
        const response = await fetch(service.url(path), { method });
        expect({ method, path, status: response.status, allow: response.headers.get('allow') }).toEqual({
          method,
          path,
          status: 405,
          allow: 'GET, HEAD',
        });
        expect(await response.json()).toMatchObject({
          type: 'urn:vinsight:problem:method-not-allowed',
          status: 405,
          requestId: response.headers.get('x-request-id'),
        });
      }
    },
  );
});
