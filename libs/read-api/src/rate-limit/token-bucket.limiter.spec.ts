import { readApiSettings } from '../read-api.settings';
import { TokenBucketLimiter } from './token-bucket.limiter';

describe('token bucket per credential', () => {
  const limiter = (requestsPerSecond: number, burst: number) =>
    new TokenBucketLimiter(readApiSettings({ rateLimit: { requestsPerSecond, burst } }));

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

  it('says when the bucket is full again (RateLimit-Reset)', () => {
    const bucket = limiter(2, 4);
    expect(bucket.take('key', 0)).toMatchObject({ remaining: 3, resetSeconds: 1 });
    [0, 0, 0].forEach(() => bucket.take('key', 0));
    expect(bucket.take('key', 0)).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 2, retryAfterSeconds: 1 });
    expect(bucket.take('key', 1500)).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 1 });
    expect(bucket.take('key', 60000)).toMatchObject({ remaining: 3, resetSeconds: 1 });
  });

  it('is off at rate 0', () => {
    const bucket = limiter(0, 1);
    for (let i = 0; i < 100; i++) expect(bucket.take('key', 0).allowed).toBe(true);
  });

  it('keeps at most maxBuckets buckets: refilled ones go first, then all of them', () => {
    const bucket = new TokenBucketLimiter(readApiSettings({ rateLimit: { requestsPerSecond: 0.001, burst: 1, maxBuckets: 1000 } }));
    bucket.take('first', 0);
    expect(bucket.take('first', 0).allowed).toBe(false);
    for (let i = 1; i < 1000; i++) bucket.take(`other-${i}`, 0);
    // Every bucket is empty and the limit is reached: the next credential makes room by forgetting them.
    expect(bucket.take('one-more', 0).allowed).toBe(true);
    expect(bucket.take('first', 0).allowed).toBe(true);
  });

  it('makes room by dropping refilled buckets before others', () => {
    const bucket = new TokenBucketLimiter(readApiSettings({ rateLimit: { requestsPerSecond: 1, burst: 1, maxBuckets: 1000 } }));
    for (let i = 0; i < 999; i++) bucket.take(`idle-${i}`, 0);
    bucket.take('busy', 1500);
    // At 1.5 s the idle buckets have refilled; only they are dropped, so 'busy' stays empty.
    bucket.take('newcomer', 1500);
    expect(bucket.take('busy', 1500).allowed).toBe(false);
  });

  it('says how long to wait at a slow rate', () => {
    const bucket = limiter(0.1, 1);
    bucket.take('key', 0);
    expect(bucket.take('key', 0).retryAfterSeconds).toBe(10);
  });
});
