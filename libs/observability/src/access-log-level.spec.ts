import { accessLogLevel } from './logging.module';

describe('accessLogLevel', () => {
  it.each([
    ['/health/ready', 200, 'debug'],
    ['/metrics', 200, 'debug'],
    // A dependency down: readiness says so every few seconds for the whole outage.
    ['/health/ready', 503, 'warn'],
    ['/health/startup', 503, 'warn'],
    ['/health/ready', 500, 'error'],
    ['/v1/monitors', 200, 'info'],
    ['/v1/monitors', 404, 'info'],
    ['/v1/monitors', 503, 'error'],
    ['/v1/monitors', 500, 'error'],
  ])('%s answered %d is logged at %s', (url, status, level) => {
    expect(accessLogLevel(url, status)).toBe(level);
  });
});
