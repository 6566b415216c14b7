/**
 * What a valid text field is, for every text a command can carry (names, URLs, reasons, check
 * messages, `issuedBy`). The write side accepts a text only if `textProblem` finds nothing; the
 * projector stores a text only if `storedTextProblem` finds nothing. The first implies the second,
 * so whatever is accepted is always projected and readable. The projector is the laxer of the
 * two on purpose: events written before a rule was tightened stay in the event store for ever and
 * must still project, and what it needs is only what Postgres can store (no NUL, well-formed
 * UTF-16 so that it becomes UTF-8) within the columns' `char_length`, which counts code points.
 *
 * Rules of an accepted text, after trimming (asyncapi.yaml, CommandEnvelope) and Unicode normalisation to NFC (so a
 * name typed with combining accents and one typed precomposed are the same name, and the length
 * is that of the stored form):
 * - its length in code points is within the field's bounds;
 * - no NUL, no lone surrogate;
 * - no control character (C0, DEL, C1), except tab, line feed and carriage return in multi-line
 *   fields (a check's `errorMessage` quotes what a server answered, often several lines);
 * - no bidirectional embedding, override or isolate control (U+202A-U+202E, U+2066-U+2069): they
 *   reorder how the text around them is displayed ("Trojan Source"), in our UI and in operators'
 *   terminals. The marks LRM, RLM and ALM (U+200E, U+200F, U+061C) change no order and are
 *   allowed, so right-to-left names can still be written.
 */
export interface TextRule {
  /** Bounds in code points, after trimming and normalisation. */
  readonly min: number;
  readonly max: number;
  /** Tab, line feed and carriage return allowed. */
  readonly multiline?: boolean;
}

/** Every text field of the commands, with its bounds (the read models' `char_length` checks agree). */
export const TEXT_RULES = {
  tenantName: { min: 1, max: 255 },
  deactivationReason: { min: 0, max: 500 },
  email: { min: 1, max: 255 },
  apiKeyName: { min: 1, max: 100 },
  monitorName: { min: 1, max: 255 },
  monitorUrl: { min: 1, max: 2048 },
  checkErrorMessage: { min: 0, max: 2000, multiline: true },
  checkRegion: { min: 0, max: 50 },
  maintenanceTitle: { min: 1, max: 255 },
  issuedBy: { min: 0, max: 100 },
} as const satisfies Record<string, TextRule>;

/** Trimmed (asyncapi.yaml, CommandEnvelope) and in Unicode normalisation form C: the form a text is decided and stored in. */
export function normalizeText(value: string): string {
  return value.trim().normalize('NFC');
}

/** Why `value` cannot be accepted as this field, or null when it can. Expects the normalised form. */
export function textProblem(value: string, rule: TextRule): string | null {
  const problem = scan(value, rule, true);
  if (problem !== null) return problem;
  return value.normalize('NFC') === value ? null : 'must be in Unicode normalisation form C (NFC)';
}

/** Why the projector cannot store `value` as this field, or null when it can (see the file's comment). */
export function storedTextProblem(value: string, rule: Pick<TextRule, 'min' | 'max'>): string | null {
  return scan(value, rule, false);
}

/** Whether every surrogate in `value` is half of a pair (what encodeURI and UTF-8 encoders need). */
export function isWellFormedText(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (isLowSurrogate(unit)) return false;
    if (isHighSurrogate(unit)) {
      if (!isLowSurrogate(value.charCodeAt(i + 1))) return false;
      i += 1;
    }
  }
  return true;
}

/** Length in code points, the unit of the rules and of Postgres' `char_length`. */
export function codePointLength(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length - 1; i += 1) {
    if (isHighSurrogate(value.charCodeAt(i)) && isLowSurrogate(value.charCodeAt(i + 1))) {
      length -= 1;
      i += 1;
    }
  }
  return length;
}

/** One pass over the UTF-16 code units: the field's text can be 2,000 code points. */
function scan(value: string, rule: Pick<TextRule, 'min' | 'max' | 'multiline'>, strict: boolean): string | null {
  let codePoints = 0;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    codePoints += 1;
    if (isHighSurrogate(unit)) {
      if (!isLowSurrogate(value.charCodeAt(i + 1))) return `must not contain a lone surrogate (${codeOf(unit)} at ${i})`;
      i += 1;
      continue;
    }
    if (isLowSurrogate(unit)) return `must not contain a lone surrogate (${codeOf(unit)} at ${i})`;
    if (unit === 0) return `must not contain NUL (U+0000 at ${i})`;
    if (!strict) continue;
    if (isControl(unit) && !(rule.multiline && (unit === 0x09 || unit === 0x0a || unit === 0x0d))) {
      return `must not contain control characters (${codeOf(unit)} at ${i})`;
    }
    if (isBidiControl(unit)) return `must not contain bidirectional embedding, override or isolate controls (${codeOf(unit)} at ${i})`;
  }
  if (codePoints < rule.min || codePoints > rule.max) {
    return `must be text of ${rule.min}..${rule.max} characters (code points; ${codePoints} given)`;
  }
  return null;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;
const isControl = (unit: number) => unit < 0x20 || (unit >= 0x7f && unit <= 0x9f);
const isBidiControl = (unit: number) => (unit >= 0x202a && unit <= 0x202e) || (unit >= 0x2066 && unit <= 0x2069);
const codeOf = (unit: number) => `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
