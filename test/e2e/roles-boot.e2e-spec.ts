import { freePort, Role, roleEnvironment, ServiceProcess } from './service-process';

describe('each role boots from dist/ as its own process', () => {
  const roles: Role[] = ['command-processor', 'projector', 'read-api', 'all-in-one'];

  it.each(roles)('%s serves /health/live, /health/startup and /health/ready, then stops on SIGTERM', async (role) => {
    const service = ServiceProcess.start(role, roleEnvironment(), await freePort());
    try {
      await service.waitFor('/health/live');
      const live = await (await fetch(service.url('/health/live'))).json();
      expect(live).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
      const startup = await fetch(service.url('/health/startup'));
      expect(startup.status).toBe(200);
      expect(await startup.json()).toMatchObject({ info: { migrations: { status: 'up' } } });
      const ready = await fetch(service.url('/health/ready'));
      expect(await ready.json()).toMatchObject({ info: { postgres: { status: 'up' } } });
      expect(ready.status).toBe(200);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('stops at start-up with a message naming each bad variable', async () => {
    const env = roleEnvironment({ KAFKA_PARTITIONS: 'many', API_DATABASE_URL: 'mysql://nope' });
    const service = ServiceProcess.start('read-api', env, await freePort());
    expect(await service.exited).toBe(1);
    expect(service.logs).toMatch(/KAFKA_PARTITIONS: .*"many"/);
    expect(service.logs).toMatch(/API_DATABASE_URL: must be a postgres:\/\/ connection string/);
  });

  it('stops at start-up when a required variable is missing', async () => {
    const env = roleEnvironment();
    delete (env as Record<string, string | undefined>).PROJECTOR_DATABASE_URL;
    const service = ServiceProcess.start('projector', env, await freePort());
    expect(await service.exited).toBe(1);
    expect(service.logs).toMatch(/PROJECTOR_DATABASE_URL: is required for projector/);
  });
});
