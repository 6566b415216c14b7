import fc from 'fast-check';
import { types } from 'pg';
import { isoTimestampFromText } from './iso-timestamps';

const pgParse = types.getTypeParser(1184, 'text') as (text: string) => Date;

/** Postgres's text output of a timestamptz in a UTC session (DateStyle ISO): trailing zeros of the fraction dropped. */
function postgresText(date: Date, micros: number): string {
  const iso = date.toISOString();
  const fraction = `${iso.slice(20, 23)}${String(micros).padStart(3, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+00`;
}

describe('isoTimestampFromText', () => {
  it.each([
    ['2026-12-04 23:43:00+00', '2026-12-04T23:43:00.000Z'],
    ['2026-12-04 23:43:00.6+00', '2026-12-04T23:43:00.600Z'],
    ['2026-12-04 23:43:00.67+00', '2026-12-04T23:43:00.670Z'],
    ['2026-12-04 23:43:00.123999+00', '2026-12-04T23:43:00.123Z'],
    ['2026-12-04 23:43:00.5+02', '2026-12-04T21:43:00.500Z'],
    ['2026-12-05 01:13:00-04:30', '2026-12-05T05:43:00.000Z'],
    ['12026-12-04 23:43:00+00', '+012026-12-04T23:43:00.000Z'],
  ])('answers %s as %s', (text, iso) => {
    expect(isoTimestampFromText(text)).toBe(iso);
  });

  it("answers what pg's parser and toISOString answer, for any instant from 1000 to 9999", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (date, micros) => {
          const text = postgresText(date, micros);
          expect(isoTimestampFromText(text)).toBe(pgParse(text).toISOString());
        },
      ),
      { seed: 20261205, numRuns: 2000 },
    );
  });
});
