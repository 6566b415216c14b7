import { codePointLength, isWellFormedText, normalizeText, storedTextProblem, TEXT_RULES, TextRule, textProblem } from './text';

/** given a text as sent, when it is normalised and checked against a rule, then ... */
const given = (sent: string) => ({
  as(rule: TextRule) {
    const normalised = normalizeText(sent);
    return {
      thenAccepted(expected = normalised) {
        expect(textProblem(normalised, rule)).toBeNull();
        expect(storedTextProblem(normalised, rule)).toBeNull();
        expect(normalised).toBe(expected);
      },
      thenRejected(reason: RegExp) {
        expect(textProblem(normalised, rule)).toMatch(reason);
      },
    };
  },
});

describe('text rules', () => {
  const name = TEXT_RULES.monitorName;
  const message = TEXT_RULES.checkErrorMessage;

  describe('length, in code points after trimming and NFC', () => {
    it('accepts exactly the maximum and rejects one more', () => {
      given('a'.repeat(255)).as(name).thenAccepted();
      given('a'.repeat(256))
        .as(name)
        .thenRejected(/1\.\.255 characters.*256 given/);
    });

    it('counts an astral character (two UTF-16 units) as one', () => {
      const emoji = '\u{1F600}';
      expect(emoji.length).toBe(2);
      given(emoji.repeat(255)).as(name).thenAccepted();
      given(emoji.repeat(256))
        .as(name)
        .thenRejected(/256 given/);
      expect(codePointLength(emoji.repeat(3) + 'x')).toBe(4);
    });

    it('counts the precomposed form of combining sequences, so a decomposed name at the limit fits', () => {
      const decomposed = 'e\u0301'.repeat(255);
      expect(decomposed.length).toBe(510);
      given(decomposed).as(name).thenAccepted('\u00e9'.repeat(255));
    });

    it('keeps combining marks that have no precomposed form, each counted', () => {
      given('x\u0301').as(name).thenAccepted('x\u0301');
      given('x\u0301'.repeat(128))
        .as(name)
        .thenRejected(/256 given/);
    });

    it('rejects a text that is empty once trimmed when the field needs one character', () => {
      given('   \t ')
        .as(name)
        .thenRejected(/1\.\.255 characters.*0 given/);
      given('  Home  ').as(name).thenAccepted('Home');
    });
  });

  describe('characters', () => {
    it('rejects a NUL anywhere', () => {
      given('nul \u0000 inside')
        .as(name)
        .thenRejected(/NUL \(U\+0000 at 4\)/);
      expect(storedTextProblem('nul \u0000 inside', name)).toMatch(/NUL/);
    });

    it('rejects lone surrogates, high or low, and accepts a pair', () => {
      given('a\ud800b')
        .as(name)
        .thenRejected(/lone surrogate \(U\+D800 at 1\)/);
      given('a\udc00')
        .as(name)
        .thenRejected(/lone surrogate \(U\+DC00 at 1\)/);
      given('end\ud83d')
        .as(name)
        .thenRejected(/lone surrogate/);
      expect(storedTextProblem('\ud800', name)).toMatch(/lone surrogate/);
      given('\ud83d\ude00').as(name).thenAccepted();
    });

    it('rejects C0, DEL and C1 controls; tab and line breaks only in multi-line fields', () => {
      given('bell\u0007')
        .as(name)
        .thenRejected(/control characters \(U\+0007/);
      given('del\u007f!')
        .as(name)
        .thenRejected(/U\+007F/);
      given('c1\u0085!')
        .as(name)
        .thenRejected(/U\+0085/);
      given('two\nlines')
        .as(name)
        .thenRejected(/U\+000A/);
      given('HTTP 500\r\n\tstack line').as(message).thenAccepted();
      given('escape\u001b[31m')
        .as(message)
        .thenRejected(/U\+001B/);
    });

    it('rejects bidirectional embedding, override and isolate controls, and allows the marks', () => {
      given('invoice\u202egpj.exe')
        .as(name)
        .thenRejected(/bidirectional.*U\+202E/);
      given('a\u2066b\u2069')
        .as(name)
        .thenRejected(/U\+2066/);
      given('\u05e9\u05dc\u05d5\u05dd \u200f(1)').as(name).thenAccepted();
    });

    it('leaves control characters to the write side: the projector stores what Postgres can hold', () => {
      expect(storedTextProblem('bell\u0007', name)).toBeNull();
      expect(storedTextProblem('x'.repeat(256), name)).toMatch(/256 given/);
    });

    it('tells well-formed UTF-16 from text with a lone surrogate (which encodeURI throws on)', () => {
      expect(isWellFormedText('ok \u{1F600}')).toBe(true);
      expect(isWellFormedText('\u0000\ud800')).toBe(false);
      expect(isWellFormedText('\udc00')).toBe(false);
    });

    it('refuses a text that is not in NFC when it was not normalised first', () => {
      expect(textProblem('e\u0301', name)).toMatch(/NFC/);
    });
  });
});
