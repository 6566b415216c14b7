import { bucketSizeFor, uptimeRanges } from './analytics.windows';

describe('uptime ranges', () => {
  it('splits a 30-day window into ragged hourly ends and whole days', () => {
    const ranges = uptimeRanges('30d', new Date('2026-01-31T10:20:30.000Z'));
    expect(ranges.from.toISOString()).toBe('2026-01-01T10:20:30.000Z');
    expect(ranges.hourlyFrom.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(ranges.daysFrom.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(ranges.daysTo.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  it('uses hourly rows only when no whole day fits in the window', () => {
    const now = new Date('2026-01-31T10:20:30.000Z');
    const ranges = uptimeRanges('24h', now);
    expect(ranges.daysFrom).toEqual(now);
    expect(ranges.daysTo).toEqual(now);
    expect(ranges.hourlyFrom.toISOString()).toBe('2026-01-30T10:00:00.000Z');
  });

  it('keeps whole days for a window that ends at midnight', () => {
    const ranges = uptimeRanges('7d', new Date('2026-01-31T00:00:00.000Z'));
    expect(ranges.daysFrom.toISOString()).toBe('2026-01-24T00:00:00.000Z');
    expect(ranges.daysTo.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });
});

describe('auto granularity', () => {
  const from = new Date('2026-01-01T00:00:00.000Z');
  const after = (hours: number) => new Date(from.getTime() + hours * 3600 * 1000);

  it('is minutes up to 24 h, hours up to 30 days, days beyond', () => {
    expect(bucketSizeFor('auto', from, after(24))).toBe('minute');
    expect(bucketSizeFor('auto', from, after(25))).toBe('hour');
    expect(bucketSizeFor('auto', from, after(30 * 24))).toBe('hour');
    expect(bucketSizeFor('auto', from, after(30 * 24 + 1))).toBe('day');
    expect(bucketSizeFor('day', from, after(1))).toBe('day');
  });
});
