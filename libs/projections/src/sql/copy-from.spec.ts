import { copyText } from './copy-from';

describe('copyText', () => {
  it('writes NULL as \\N and numbers as they are', () => {
    expect([copyText(null), copyText(0), copyText(42)]).toEqual(['\\N', '0', '42']);
  });

  it('escapes the characters COPY text format gives a meaning', () => {
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('plain text, "quoted" and ünïcode')).toBe('plain text, "quoted" and ünïcode');
  });
});
