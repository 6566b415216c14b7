import fc from 'fast-check';
import { toJson } from '@vinsight/contracts';

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

describe('toJson', () => {
  it('is what a JSON round trip gives, for event-shaped data', () => {
    const data = {
      monitorId: '0b7c1d9e-4f2a-4c3b-8d5e-6f7a8b9c0d1e',
      at: new Date('2026-01-15T12:00:00.250Z'),
      missing: undefined,
      nothing: null,
      zero: -0,
      tags: ['a', 1, true, null, { deep: new Date(0) }],
    };
    expect(toJson(data)).toStrictEqual(roundTrip(data));
  });

  it('is what a JSON round trip gives, for any value that survives one (seeded property)', () => {
    const value = fc.oneof(
      fc.anything({ withDate: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
      fc.date({ noInvalidDate: false }),
      fc.dictionary(fc.string(), fc.oneof(fc.date(), fc.double(), fc.constant(undefined), fc.string())),
    );
    fc.assert(
      fc.property(value, (input) => {
        let expected: unknown;
        try {
          expected = roundTrip(input);
        } catch {
          return; // JSON.stringify itself refuses it (a bigint): toJson throws too, checked below.
        }
        expect(toJson(input)).toStrictEqual(expected);
      }),
      { seed: 16, numRuns: 2000 },
    );
  });

  it('throws where JSON.stringify throws', () => {
    expect(() => toJson({ n: 1n })).toThrow(TypeError);
  });
});
