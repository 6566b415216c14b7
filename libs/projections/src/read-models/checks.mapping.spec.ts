import { envelope, id } from '../testing/envelopes';
import { CheckRow, checkRowOf, compareCodePoints, distinctChecks, lastChecksByMonitor, rollupDeltas } from './checks.mapping';
import { latencyBucketOf } from './latency-histogram';

const check = (n: number, payload: Record<string, unknown> = {}) =>
  envelope('CheckRecorded', {
    monitorId: id('monitor'),
    checkId: id(`check-${n}`),
    status: 'up',
    responseTimeMs: 100 + n,
    statusCode: 200,
    checkedAt: new Date(Date.parse('2026-01-15T10:00:00.000Z') + n * 60_000).toISOString(),
    ...payload,
  }, { aggregateId: id('monitor') });

const row = (n: number, payload: Record<string, unknown> = {}): CheckRow => checkRowOf(check(n, payload));

describe('checkRowOf', () => {
  it('maps a CheckRecorded event to its monitor_checks row, keeping the time as written', () => {
    expect(row(0, { region: 'eu-west-1', errorMessage: undefined })).toEqual({
      tenantId: id('tenant'),
      monitorId: id('monitor'),
      monitorKey: `${id('tenant')}|${id('monitor')}`,
      id: id('check-0'),
      status: 'up',
      responseTimeMs: 100,
      statusCode: 200,
      errorMessage: null,
      region: 'eu-west-1',
      checkedAt: '2026-01-15T10:00:00.000Z',
      checkedAtMs: Date.parse('2026-01-15T10:00:00.000Z'),
    });
  });

  it.each([
    [{ status: 'sideways' }, /status/],
    [{ responseTimeMs: 600001 }, /responseTimeMs/],
    [{ responseTimeMs: 1.5 }, /responseTimeMs/],
    [{ statusCode: 99 }, /statusCode/],
    [{ errorMessage: 'x'.repeat(2001) }, /errorMessage/],
    [{ region: 'r'.repeat(51) }, /region/],
    [{ checkedAt: 'yesterday' }, /checkedAt/],
    [{ checkId: 'abc' }, /checkId/],
  ])('refuses what the table would refuse: %j', (payload, message) => {
    expect(() => row(0, payload)).toThrow(message);
  });

  it('counts characters, not UTF-16 units, against the limits', () => {
    expect(row(0, { region: '🙂'.repeat(50) }).region).toHaveLength(100);
  });
});

describe('distinctChecks', () => {
  it('keeps the first of rows with the same primary key', () => {
    const a = row(1);
    const again = { ...row(1), responseTimeMs: 999 };
    expect(distinctChecks([a, row(2), again, again])).toEqual([a, row(2)]);
  });

  it('keeps rows that share a check id but not the whole key', () => {
    const a = row(1);
    const later = row(1, { checkedAt: '2026-01-15T11:00:00.000Z' });
    expect(distinctChecks([a, later, later])).toEqual([a, later]);
  });
});

describe('rollupDeltas', () => {
  it('adds checks per monitor and hour, with counts, sums and the histogram', () => {
    const rows = [row(0, { responseTimeMs: 120 }), row(1, { status: 'down', responseTimeMs: 250 }), row(2, { status: 'error', responseTimeMs: undefined }), row(70)];
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

  it('adds the same checks into one row per day', () => {
    expect(rollupDeltas([row(0), row(70), row(900)], 'day').map((d) => [new Date(d.bucketStartMs).toISOString(), d.totalChecks])).toEqual([
      ['2026-01-15T00:00:00.000Z', 2],
      ['2026-01-16T00:00:00.000Z', 1],
    ]);
  });
});

describe('lastChecksByMonitor', () => {
  it('takes the latest check of each monitor', () => {
    const other = checkRowOf(check(5, { monitorId: id('monitor-2') }));
    expect(lastChecksByMonitor([row(3), row(9), row(4), other]).map((r) => r.id).sort()).toEqual([id('check-5'), id('check-9')].sort());
  });

  it('breaks ties of checked_at by response time, status code and error message, whatever the arrival order', () => {
    const at = '2026-01-15T10:00:00.000Z';
    const a = row(1, { checkedAt: at, responseTimeMs: 300, statusCode: 200 });
    const b = row(2, { checkedAt: at, responseTimeMs: 300, statusCode: 503 });
    const c = row(3, { checkedAt: at, responseTimeMs: undefined });
    expect(lastChecksByMonitor([a, b, c])[0].id).toBe(id('check-2'));
    expect(lastChecksByMonitor([c, b, a])[0].id).toBe(id('check-2'));
  });

  it('orders text by code point, as COLLATE "C" does', () => {
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
    expect(compareCodePoints('\uffff', '😀')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
  });
});
