import { Transform } from 'class-transformer';
import type { ValidationOptions } from 'class-validator';
import { ValidateBy, buildMessage, isEmail, isISO8601, isRFC3339, isURL } from 'class-validator';
import type { TextRule } from '@vinsight/domain';
import { isWellFormedText, normalizeText, textProblem } from '@vinsight/domain';

/** asyncapi.yaml, CommandEnvelope: "Strings are trimmed". Non-strings pass through, for the type check to report. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * A text field: trimmed (asyncapi.yaml, CommandEnvelope) and normalised to NFC, the form it is decided and stored
 * in. Non-strings pass through, for the type check to report.
 */
export const NormalizeText = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeText(value) : value));

/**
 * The domain's text rule (length in code points, no NUL, lone surrogate, control or bidi
 * override character): the same rule the projector's checks are a weaker form of, so that an
 * accepted text is always stored. The command JSON schemas read `minLength`/`maxLength` from it.
 */
export function IsText(rule: TextRule, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isText',
      constraints: [rule],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && textProblem(value, rule) === null,
        defaultMessage: (args) => {
          const problem = typeof args?.value === 'string' ? textProblem(args.value, rule) : 'must be a string';
          return `${args?.property ?? 'value'} ${problem ?? 'is invalid'}`;
        },
      },
    },
    options,
  );
}

type IsEmailOptions = Parameters<typeof isEmail>[1];
type IsURLOptions = Parameters<typeof isURL>[1];

/**
 * class-validator's IsEmail and IsUrl, for text that may hold a lone surrogate: validator.js
 * calls encodeURI on it, which throws instead of answering false. Such text is refused by
 * IsText anyway; these only keep the check from throwing. Same names, so the JSON schemas keep
 * their formats.
 */
export const IsEmailText = (options?: IsEmailOptions, validationOptions?: ValidationOptions): PropertyDecorator =>
  wellFormedOnly('isEmail', (value) => isEmail(value, options), options, 'must be an email', validationOptions);

export const IsUrlText = (options?: IsURLOptions, validationOptions?: ValidationOptions): PropertyDecorator =>
  wellFormedOnly('isUrl', (value) => isURL(value, options), options, 'must be a URL address', validationOptions);

/** IsEmailText's and IsUrlText's checks, for the compiled validation (compiled-command-validation.ts). */
export const isEmailText = (value: string, options?: IsEmailOptions): boolean => isWellFormedText(value) && isEmail(value, options);
export const isUrlText = (value: string, options?: IsURLOptions): boolean => isWellFormedText(value) && isURL(value, options);

function wellFormedOnly(
  name: string,
  check: (value: string) => boolean,
  options: unknown,
  message: string,
  validationOptions?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      constraints: [options],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isWellFormedText(value) && check(value),
        defaultMessage: buildMessage((eachPrefix) => `${eachPrefix}$property ${message}`, validationOptions),
      },
    },
    validationOptions,
  );
}

/**
 * Entity ids are compared as strings by the domain but stored as `uuid` by Postgres, which
 * ignores case: normalising here keeps one identity per id on both sides.
 */
export const NormalizeUuid = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** Absent or null means the default; the property initialiser covers "absent". */
export const DefaultTo = (fallback: unknown): PropertyDecorator => Transform(({ value }: { value: unknown }) => value ?? fallback);

/** See IsIsoDateTime. */
export function isIsoDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  // Every check result carries a time, nearly always in this form: decided without the three
  // validators' passes, with the same answer (a spec compares the two on generated times).
  const utc = CANONICAL_UTC.exec(value);
  if (utc !== null) return isCalendarDay(Number(utc[1]), Number(utc[2]), Number(utc[3])) && !Number.isNaN(Date.parse(value));
  return isIsoDateTimeByValidators(value);
}

/** `2025-01-15T12:00:00Z`, with a fraction of a second or not, years 1000-9999. */
const CANONICAL_UTC = /^([1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const isCalendarDay = (year: number, month: number, day: number): boolean =>
  day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);

/** The definition isIsoDateTime keeps to: RFC 3339, strict ISO-8601 (a real calendar day, a `T`), and a time Date can read. */
export const isIsoDateTimeByValidators = (value: string): boolean =>
  isRFC3339(value) && isISO8601(value, { strict: true, strictSeparator: true }) && !Number.isNaN(Date.parse(value));

/**
 * An ISO-8601 date-time with a time zone (the RFC 3339 profile): `2025-01-15T12:00:00Z`,
 * `2025-01-15T13:00:00.250+01:00`. A time without a zone would be read in the processor's local
 * zone, and a date alone is not a time, so both are refused.
 */
export function IsIsoDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoDateTime',
      validator: {
        validate: isIsoDateTime,
        defaultMessage: buildMessage(
          (eachPrefix) => `${eachPrefix}$property must be an ISO-8601 date-time with a time zone, e.g. 2025-01-15T12:00:00Z`,
          options,
        ),
      },
    },
    options,
  );
}

export const BCRYPT_HASH_PATTERN = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** Lowercase canonical text form; see CommandEnvelopeDto.tenantId for why case matters there. */
export const LOWERCASE_UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
