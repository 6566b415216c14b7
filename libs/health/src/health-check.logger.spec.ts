import { Logger } from '@nestjs/common';
import { HealthCheckLogger } from './health-check.logger';

describe('HealthCheckLogger (Terminus)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs a failed health check at warn, not error', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    new HealthCheckLogger().error('Health Check has failed! {"kafka":{"status":"down"}}');
    expect(warn).toHaveBeenCalledWith('Health Check has failed! {"kafka":{"status":"down"}}');
    expect(error).not.toHaveBeenCalled();
  });

  it('is the logger Terminus is given', async () => {
    const { HealthModule } = await import('./health.module');
    const module = HealthModule.forRoot({ lifecycle: {} as never, primaryPool: { provide: 'POOL', useValue: {} }, checks: {} });
    const terminus = module.imports?.[0] as { providers: { provide: unknown; useClass?: unknown }[] };
    expect(terminus.providers.some((p) => p.useClass === HealthCheckLogger)).toBe(true);
  });
});
