import { PARTITION_RETRY_BACKOFF, retryDelayMs } from './retry-backoff';

describe('retryDelayMs', () => {
  it('doubles with each failure in a row from the initial wait, up to the bound', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((failures) => retryDelayMs(failures))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('takes other bounds, and never waits less than the initial wait', () => {
    expect([0, 1, 2, 3].map((failures) => retryDelayMs(failures, { initialMs: 200, maxMs: 800 }))).toEqual([200, 200, 400, 800]);
    expect(retryDelayMs(1)).toBe(PARTITION_RETRY_BACKOFF.initialMs);
  });
});
