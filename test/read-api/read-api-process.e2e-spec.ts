import { Pool } from 'pg';
import { ServiceProcess, freePort, roleEnvironment } from '../e2e/service-process';
import { TenantSeed } from './read-api.fixtures';
import { projectorPool } from './read-api.harness';

/**
 * The built read API (dist/apps/read-api) as its own process: /v1 answers with the tenant of
 * the key and echoes the caller's request and correlation ids, and no credential is logged.
 */
describe('read API process', () => {
  let pool: Pool;
  let seed: TenantSeed;
  let service: ServiceProcess;

  beforeAll(async () => {
    pool = projectorPool();
    seed = new TenantSeed(pool);
    await seed.insertTenant();
    await seed.insertApiKey(seed.apiKeyId, seed.token);
    service = ServiceProcess.start('read-api', roleEnvironment({ LOG_LEVEL: 'info', MIGRATE_ON_START: 'false' }), await freePort());
    await service.waitFor('/health/live');
  });

  afterAll(async () => {
    await service?.stop();
    await seed?.delete();
    await pool?.end();
  });

  it("serves /v1 with the caller's request and correlation ids", async () => {
    const response = await fetch(service.url('/v1/tenant'), {
      headers: { authorization: `Bearer ${seed.token}`, 'x-request-id': `e2e-${seed.tenantId}`, 'x-correlation-id': 'e2e-correlation' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(seed.tenantId);
    expect(response.headers.get('x-request-id')).toBe(`e2e-${seed.tenantId}`);
    expect(response.headers.get('x-correlation-id')).toBe('e2e-correlation');
    // The credential never reaches the logs.
    expect(service.logs).not.toContain(seed.token);
  });

  it('answers problem+json for a missing credential', async () => {
    const response = await fetch(service.url('/v1/monitors'));
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
