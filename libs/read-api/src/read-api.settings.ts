/**
 * Settings of the read API: libs/config's `readApi` (what the environment sets, validated at
 * boot) and defaults for what it does not carry yet. They come in through this provider (never
 * process.env), so a composition root passes `readApiSettings(config.readApi)` and a test
 * overrides them explicitly.
 */
export interface ReadApiSettings {
  /** How long an authenticated credential is trusted before it is looked up again. */
  credentialCacheMs: number;
  /** Upper bound of the credential cache, so random tokens cannot grow it without limit. */
  credentialCacheMaxEntries: number;
  jwt: {
    /** HS256 shared secret; JWTs are accepted when this or jwksUrl is set. */
    hs256Secret?: string;
    /** RS256 key set URL. */
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    clockToleranceSeconds: number;
  };
  rateLimit: {
    /** Sustained requests per second per credential; 0 disables rate limiting. */
    requestsPerSecond: number;
    /** Bucket size: requests a credential may send at once after being idle. */
    burst: number;
    /** Buckets kept at most, one per credential recently seen (about 570 bytes each); default 100,000. */
    maxBuckets?: number;
  };
  /** Interval of the replica lag measurement that routing decisions read. */
  replicaLagPollMs: number;
  /**
   * Interval of the projection checkpoint poll while a consistency token is pending, used only
   * while the process hears no notifications (see `notifications`).
   */
  consistencyPollMs: number;
  /**
   * Listen to the projector's notifications (one connection per process): checkpoint advances
   * wake the requests waiting for a position, credential changes empty the credential cache.
   * Off, waits poll and revocations wait for the cache's time to live (the benchmark compares).
   */
  notifications: boolean;
  /** GET /v1/stream (see stream/event-stream.hub.ts). */
  stream: {
    /** Streams one tenant may hold open on one process at once; beyond it 429. */
    maxConnectionsPerTenant: number;
    /** Interval of the comment lines that keep idle streams (and the proxies between) alive. */
    heartbeatMs: number;
    /** Released records each partition keeps for reconnecting clients; older positions are read again from Kafka. */
    replayRecords: number;
  };
}

export const READ_API_SETTINGS = Symbol('READ_API_SETTINGS');

export function readApiSettings(overrides: Partial<ReadApiSettings> = {}): ReadApiSettings {
  const defaults: ReadApiSettings = {
    credentialCacheMs: 1000,
    credentialCacheMaxEntries: 10000,
    jwt: { clockToleranceSeconds: 30 },
    rateLimit: { requestsPerSecond: 50, burst: 100 },
    replicaLagPollMs: 1000,
    consistencyPollMs: 25,
    notifications: true,
    stream: { maxConnectionsPerTenant: 100, heartbeatMs: 15000, replayRecords: 2000 },
  };
  return {
    ...defaults,
    ...overrides,
    jwt: { ...defaults.jwt, ...overrides.jwt },
    rateLimit: { ...defaults.rateLimit, ...overrides.rateLimit },
    stream: { ...defaults.stream, ...overrides.stream },
  };
}
