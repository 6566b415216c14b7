import { booleanLiteral, integerLiteral, sha256Literal, textLiteral, timestampLiteral, uuidLiteral } from './sql-literals';

describe('SQL literals of the single-round-trip path', () => {
  it('inlines only values of a checked shape', () => {
    expect(uuidLiteral('0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11')).toBe("'0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11'::uuid");
    expect(() => uuidLiteral("0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f1'")).toThrow();
    expect(() => uuidLiteral('0D3F6A8E-0C5E-4B5E-9D7F-5C2B1A0E9F11')).toThrow();
    expect(() => sha256Literal("abc' OR 1=1")).toThrow();
    expect(() => integerLiteral(1.5)).toThrow();
    expect(integerLiteral(51)).toBe('51');
    expect(booleanLiteral(false)).toBe('false');
    expect(timestampLiteral(new Date('2026-01-15T10:20:30.123Z'))).toBe("'2026-01-15T10:20:30.123Z'::timestamptz");
  });

  it('quotes free text with pg escaping and refuses NUL', () => {
    expect(textLiteral("it's")).toBe("'it''s'");
    expect(textLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(() => textLiteral('a\u0000b')).toThrow();
  });
});
