import { CustomTypesConfig, types } from 'pg';

const TIMESTAMPTZ_OID = 1184;
const parseTimestamptz = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;

/**
 * A timestamptz as the API answers it (`Date.prototype.toISOString`: UTC, milliseconds, `Z`),
 * straight from Postgres's text form. In a session on UTC, which is what the read API's
 * connections get from a server on UTC, that form is `2026-12-04 23:43:00.67+00`: the ISO string
 * is a rearrangement of it, with no Date in between, and a page of 50 monitors has 150 of them
 * (parsing each into a Date and formatting it again was a fifth of the page's CPU). Any other
 * form (another time zone, a year past 9999, BC) goes through pg's own parser and a Date.
 * Fractions are cut to milliseconds, as a Date would cut them.
 */
export function isoTimestampFromText(text: string): string {
  const length = text.length;
  if (length >= 22 && text.charCodeAt(4) === 45 && text.charCodeAt(10) === 32 && text.endsWith('+00')) {
    if (length === 22) return `${text.slice(0, 10)}T${text.slice(11, 19)}.000Z`;
    if (text.charCodeAt(19) === 46 && length <= 29)
      return `${text.slice(0, 10)}T${text.slice(11, 19)}.${`${text.slice(20, length - 3)}00`.slice(0, 3)}Z`;
  }
  return parseTimestamptz(text).toISOString();
}

/** pg's type parsers, with every timestamptz column answered as isoTimestampFromText's string. */
export const ISO_TIMESTAMP_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ_OID && format !== 'binary'
      ? isoTimestampFromText
      : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};
