import fc from 'fast-check';
import { isIsoDateTime, isIsoDateTimeByValidators } from '../../libs/contracts/src/commands/wire-format.decorators';

/** Two digits, out of range values included. */
const twoDigits = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));

/** Times near the usual UTC form: every field may be out of range, and separator, fraction and zone vary. */
const nearlyCanonical = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1000, 1900, 2000, 2023, 2024, 2100, 9999)),
    twoDigits(13),
    twoDigits(32),
    fc.constantFrom('T', 't', ' '),
    twoDigits(25),
    twoDigits(61),
    twoDigits(61),
    fc.constantFrom('', '.5', '.123', '.123456789', '.'),
    fc.constantFrom('Z', 'z', '+01:00', '-00:00', ''),
  )
  .map(
    ([year, ...rest]) =>
      `${String(year).padStart(4, '0')}-${rest[0]}-${rest[1]}${rest[2]}${rest[3]}:${rest[4]}:${rest[5]}${rest[6]}${rest[7]}`,
  );

/** A character of a time replaced by another, inserted or removed. */
const mutated = fc
  .tuple(nearlyCanonical, fc.nat(), fc.constantFrom('', '0', '9', '-', ':', 'T', 'Z', '.', '+', ' ', 'x'), fc.boolean())
  .map(([text, at, char, insert]) => {
    const i = at % (text.length + 1);
    return `${text.slice(0, i)}${char}${text.slice(insert ? i : i + 1)}`;
  });

describe('isIsoDateTime', () => {
  it.each([
    ['2025-01-15T12:00:00Z', true],
    ['2025-01-15T13:00:00.250+01:00', true],
    ['2024-02-29T00:00:00Z', true],
    ['2023-02-29T00:00:00Z', false],
    ['2025-04-31T00:00:00Z', false],
    ['2025-01-15T24:00:00Z', false],
    ['2025-01-15T23:59:60Z', false],
    ['2025-01-15t12:00:00Z', false],
    ['2025-01-15T12:00:00', false],
    ['2025-01-15', false],
  ])('answers %s with %s', (text, valid) => {
    expect(isIsoDateTime(text)).toBe(valid);
  });

  it('answers as the validators it stands for do, on times in the usual form and near it', () => {
    let canonicalAccepted = 0;
    let canonicalRefused = 0;
    fc.assert(
      fc.property(fc.oneof(nearlyCanonical, mutated), (text) => {
        const expected = isIsoDateTimeByValidators(text);
        expect(isIsoDateTime(text)).toBe(expected);
        if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text)) {
          if (expected) canonicalAccepted++;
          else canonicalRefused++;
        }
      }),
      { seed: 20261205, numRuns: 30_000 },
    );
    // The fast path was taken both ways, not only the fallback.
    expect(canonicalAccepted).toBeGreaterThan(100);
    expect(canonicalRefused).toBeGreaterThan(100);
  });
});
