import { checkRecordedEnvelope, id } from '../../testing/envelopes';
import { CheckRow, checkRowOf } from '../checks/check-row';
import { compareCodePoints, lastChecksByMonitor } from './last-check';

const check = checkRecordedEnvelope;

const row = (n: number, payload: Record<string, unknown> = {}): CheckRow => checkRowOf(check(n, payload));

describe('lastChecksByMonitor', () => {
  it('takes the latest check of each monitor', () => {
    const other = checkRowOf(check(5, { monitorId: id('monitor-2') }));
    expect(
      lastChecksByMonitor([row(3), row(9), row(4), other])
        .map((r) => r.id)
        .sort(),
    ).toEqual([id('check-5'), id('check-9')].sort());
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
