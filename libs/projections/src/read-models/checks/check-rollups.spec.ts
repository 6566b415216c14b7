import { checkRecordedEnvelope } from '../../testing/envelopes';
import { CheckRow, checkRowOf } from './check-row';
import { dailyFromHourly, rollupDeltas } from './check-rollups';
import { latencyBucketOf } from './latency-histogram';

const check = checkRecordedEnvelope;

const row = (n: number, payload: Record<string, unknown> = {}): CheckRow => checkRowOf(check(n, payload));

describe('rollupDeltas', () => {
  it('adds checks per monitor and hour, with counts, sums and the histogram', () => {
    const rows = [
      row(0, { responseTimeMs: 120 }),
      row(1, { status: 'down', responseTimeMs: 250 }),
      row(2, { status: 'error', responseTimeMs: undefined }),
      row(70),
    ];
    const [first, second] = rollupDeltas(rows, 'hour');
    expect(first).toMatchObject({
      bucketStartMs: Date.parse('2026-01-15T10:00:00.000Z'),
      totalChecks: 3,
      upChecks: 1,
      downChecks: 1,
      errorChecks: 1,
      responseTimeSumMs: 370,
      responseTimeCount: 2,
    });
    expect(first.histogram[latencyBucketOf(120) - 1]).toBe(1);
    expect(first.histogram[latencyBucketOf(250) - 1]).toBe(1);
    expect(first.histogram.reduce((a, b) => a + b, 0)).toBe(2);
    expect(second).toMatchObject({ bucketStartMs: Date.parse('2026-01-15T11:00:00.000Z'), totalChecks: 1 });
  });

  it('counts checks in maintenance apart, out of the counts and latencies', () => {
    const rows = [
      row(0, { responseTimeMs: 120 }),
      row(1, { status: 'down', responseTimeMs: 9000, inMaintenance: true }),
      row(2, { inMaintenance: true }),
    ];
    const [delta] = rollupDeltas(rows, 'hour');
    expect(delta).toMatchObject({
      totalChecks: 1,
      upChecks: 1,
      downChecks: 0,
      errorChecks: 0,
      responseTimeSumMs: 120,
      responseTimeCount: 1,
      maintenanceChecks: 2,
    });
    expect(delta.histogram.reduce((a, b) => a + b, 0)).toBe(1);
    const [onlyMaintenance] = rollupDeltas([row(3, { inMaintenance: true })], 'day');
    expect(onlyMaintenance).toMatchObject({ totalChecks: 0, maintenanceChecks: 1, responseTimeCount: 0 });
  });

  it('adds the same checks into one row per day', () => {
    expect(rollupDeltas([row(0), row(70), row(900)], 'day').map((d) => [new Date(d.bucketStartMs).toISOString(), d.totalChecks])).toEqual([
      ['2026-01-15T00:00:00.000Z', 2],
      ['2026-01-16T00:00:00.000Z', 1],
    ]);
  });

  it('gives the same daily rows from the hourly deltas as from the checks', () => {
    // Several monitors and tenants, hours across three days, maintenance and missing latencies.
    const rows = Array.from({ length: 400 }, (_, i) =>
      row((i * 37) % 3000, {
        status: i % 7 === 0 ? 'down' : i % 11 === 0 ? 'error' : 'up',
        responseTimeMs: i % 13 === 0 ? undefined : (i * 97) % 5000,
        inMaintenance: i % 17 === 0,
        ...(i % 3 === 0 && { monitorId: '0a0a0a0a-0000-4000-8000-00000000000' + (i % 5) }),
      }),
    );
    const hourly = rollupDeltas(rows, 'hour');
    const daily = rollupDeltas(rows, 'day');
    expect(daily.length).toBeGreaterThan(3);
    expect(dailyFromHourly(hourly)).toEqual(daily);
    expect(hourly).toEqual(rollupDeltas(rows, 'hour'));
  });
});
