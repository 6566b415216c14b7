import { Inject, Injectable } from '@nestjs/common';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfterSeconds: number;
  /** Seconds until the bucket is full again (`remaining` back at `limit`): the RateLimit-Reset header. */
  resetSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

const DEFAULT_MAX_BUCKETS = 100000;

/**
 * A token bucket per credential, in process memory: each credential gets `requestsPerSecond`
 * sustained and `burst` at once. Per process, so N replicas allow N times the rate; a shared
 * limiter (Redis) would be the next step if that matters.
 */
@Injectable()
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(@Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings) {}

  private get maxBuckets(): number {
    return this.settings.rateLimit.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  }

  take(key: string, nowMs: number): RateDecision {
    const { requestsPerSecond: rate, burst } = this.settings.rateLimit;
    if (rate <= 0) return { allowed: true, limit: 0, remaining: 0, retryAfterSeconds: 0, resetSeconds: 0 };
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxBuckets) this.evictFull(nowMs);
      bucket = { tokens: burst, updatedAtMs: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.updatedAtMs) / 1000) * rate);
    bucket.updatedAtMs = nowMs;
    const resetSeconds = (tokens: number) => Math.ceil((burst - tokens) / rate);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return {
        allowed: true,
        limit: burst,
        remaining: Math.floor(bucket.tokens),
        retryAfterSeconds: 0,
        resetSeconds: resetSeconds(bucket.tokens),
      };
    }
    return {
      allowed: false,
      limit: burst,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)),
      resetSeconds: resetSeconds(bucket.tokens),
    };
  }

  /** Buckets that have refilled completely carry no state worth keeping. */
  private evictFull(nowMs: number): void {
    const { requestsPerSecond: rate, burst } = this.settings.rateLimit;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((nowMs - bucket.updatedAtMs) / 1000) * rate >= burst) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxBuckets) this.buckets.clear();
  }
}
