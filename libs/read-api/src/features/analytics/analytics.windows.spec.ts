import { zeroFilledBuckets } from './analytics.windows';

describe('zeroFilledBuckets', () => {
  const at = (iso: string) => new Date(iso);
  const bucket = (iso: string, totalChecks: number) => ({
    bucketStart: at(iso),
    totalChecks,
    upChecks: totalChecks,
    downChecks: 0,
    errorChecks: 0,
    maintenanceChecks: 0,
    avgResponseTimeMs: 12,
    p95ResponseTimeMs: 20,
  });
  const zero = (iso: string) => ({
    bucketStart: at(iso),
    totalChecks: 0,
    upChecks: 0,
    downChecks: 0,
    errorChecks: 0,
    maintenanceChecks: 0,
    avgResponseTimeMs: null,
    p95ResponseTimeMs: null,
  });

  it('returns every bucket up to `to`, zeros where no check was found', () => {
    const found = [bucket('2026-01-01T01:00:00Z', 3), bucket('2026-01-01T03:00:00Z', 5)];
    expect(zeroFilledBuckets(found, 'hour', at('2026-01-01T00:00:00Z'), at('2026-01-01T04:30:00Z'))).toEqual([
      zero('2026-01-01T00:00:00Z'),
      found[0],
      zero('2026-01-01T02:00:00Z'),
      found[1],
      zero('2026-01-01T04:00:00Z'),
    ]);
  });

  it('has one bucket per minute over a day, and none past `to`', () => {
    const day = zeroFilledBuckets([], 'minute', at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'));
    expect(day).toHaveLength(1440);
    expect(day.at(-1)!.bucketStart).toEqual(at('2026-01-01T23:59:00Z'));
    expect(zeroFilledBuckets([], 'day', at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toEqual([]);
  });
});
