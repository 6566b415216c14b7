import { PARTITION_RETRY_BACKOFF, retryDelayMs, retryRetriable } from './retry-backoff';

describe('retryDelayMs', () => {
  it('doubles with each failure in a row from the initial wait, up to the bound', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((failures) => retryDelayMs(failures))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('takes other bounds, and never waits less than the initial wait', () => {
    expect([0, 1, 2, 3].map((failures) => retryDelayMs(failures, { initialMs: 200, maxMs: 800 }))).toEqual([200, 200, 400, 800]);
    expect(retryDelayMs(1)).toBe(PARTITION_RETRY_BACKOFF.initialMs);
  });
});

describe('retryRetriable', () => {
  const retriable = Object.assign(new Error('UNKNOWN_TOPIC_OR_PARTITION'), { retriable: true });

  it('tries again while the error is retriable, and returns the first success', async () => {
    let calls = 0;
    const result = await retryRetriable(
      async () => {
        calls++;
        if (calls < 3) throw retriable;
        return 'subscribed';
      },
      5,
      1,
    );
    expect({ result, calls }).toEqual({ result: 'subscribed', calls: 3 });
  });

  it('gives up after the attempts, and at once on an error that is not retriable', async () => {
    let calls = 0;
    await expect(retryRetriable(() => (calls++, Promise.reject(retriable)), 4, 1)).rejects.toBe(retriable);
    expect(calls).toBe(4);
    const fatal = new Error('SASL authentication failed');
    calls = 0;
    await expect(retryRetriable(() => (calls++, Promise.reject(fatal)), 4, 1)).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });
});
