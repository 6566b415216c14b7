import { readApiSettings } from '../read-api.settings';
import { TokenBucketLimiter } from './token-bucket.limiter';

describe('token bucket per credential', () => {
  const limiter = (requestsPerSecond: number, burst: number) => new TokenBucketLimiter(readApiSettings({ rateLimit: { requestsPerSecond, burst } }));

  it('allows the burst at once, then the sustained rate', () => {
    const bucket = limiter(2, 3);
    expect([0, 0, 0, 0].map(() => bucket.take('key', 0).allowed)).toEqual([true, true, true, false]);
    const refused = bucket.take('key', 100);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(bucket.take('key', 600).allowed).toBe(true);
    expect(bucket.take('key', 600).allowed).toBe(false);
  });

  it('keeps credentials apart and refills up to the burst only', () => {
    const bucket = limiter(1, 2);
    bucket.take('a', 0);
    bucket.take('a', 0);
    expect(bucket.take('a', 0).allowed).toBe(false);
    expect(bucket.take('b', 0).allowed).toBe(true);
    expect(bucket.take('a', 60000)).toMatchObject({ allowed: true, remaining: 1, limit: 2 });
  });

  it('is off at rate 0', () => {
    const bucket = limiter(0, 1);
    for (let i = 0; i < 100; i++) expect(bucket.take('key', 0).allowed).toBe(true);
  });

  it('says how long to wait at a slow rate', () => {
    const bucket = limiter(0.1, 1);
    bucket.take('key', 0);
    expect(bucket.take('key', 0).retryAfterSeconds).toBe(10);
  });
});
