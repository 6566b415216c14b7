import { checkRecordedEnvelope, id } from '../../testing/envelopes';
import { CheckRow, checkRowOf, distinctChecks } from './check-row';

const check = checkRecordedEnvelope;

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
      inMaintenance: false,
    });
  });

  it('reads inMaintenance, absent meaning false', () => {
    expect(row(0, { inMaintenance: true }).inMaintenance).toBe(true);
    expect(row(0, { inMaintenance: false }).inMaintenance).toBe(false);
    expect(row(0, { inMaintenance: null }).inMaintenance).toBe(false);
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
    [{ inMaintenance: 'yes' }, /inMaintenance/],
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
