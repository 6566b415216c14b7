import fc from 'fast-check';
import { normalizedUuid } from './field-checks';

/** The definition, as a regex: 8-4-4-4-12 hex digits of either case, answered in lower case. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const reference = (value: unknown): string | null => (typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null);

/** Characters a UUID is made of, the ones next to them, and a few far from them. */
const NEAR = '0123456789abcdefABCDEF-gG/:@`{ \u00e9\u0130\u212a\uff10';

describe('normalizedUuid', () => {
  it.each([
    ['0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'],
    ['0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9', '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9'],
    ['0f1e2d3c4b5a-4978-8695-a4b3c2d1e0f9-', null],
    ['0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f', null],
    ['0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0fg', null],
    ['{f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', null],
  ])('answers %s with %s', (value, expected) => {
    expect(normalizedUuid(value)).toBe(expected);
  });

  it('answers null for what is not a string', () => {
    for (const value of [undefined, null, 36, {}, ['0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9']]) expect(normalizedUuid(value)).toBeNull();
  });

  it('answers what the regex answers, for UUIDs and strings one or two characters away from one', () => {
    const edited = fc
      .tuple(
        fc.uuid(),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(36), fc.constantFrom(...NEAR), fc.constantFrom('replace', 'insert', 'delete')), { maxLength: 2 }),
      )
      .map(([uuid, upper, edits]) => {
        let text = upper ? uuid.toUpperCase() : uuid;
        for (const [at, char, edit] of edits) {
          const i = Math.min(at, text.length);
          text =
            edit === 'insert'
              ? text.slice(0, i) + char + text.slice(i)
              : text.slice(0, i) + (edit === 'replace' ? char : '') + text.slice(i + 1);
        }
        return text;
      });
    fc.assert(
      fc.property(edited, (text) => {
        expect(normalizedUuid(text)).toBe(reference(text));
      }),
      { seed: 20261206, numRuns: 30000 },
    );
  });
});
