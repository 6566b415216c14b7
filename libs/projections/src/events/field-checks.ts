/** ISO-8601 with a date, a time and a zone, which Postgres reads as the same instant. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/**
 * The UUID in its lower-case spelling (the one Postgres prints, so ids compare as strings in
 * memory), or null when `value` is not 8-4-4-4-12 hex digits. A loop, not a regex: it runs
 * several times for each of millions of records.
 */
export function normalizedUuid(value: unknown): string | null {
  if (typeof value !== 'string' || value.length !== 36) return null;
  let upper = false;
  for (let i = 0; i < 36; i += 1) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return null;
    } else if (c >= 65 && c <= 70) {
      upper = true;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return null;
    }
  }
  return upper ? value.toLowerCase() : value;
}

export const isUuid = (value: unknown): value is string => normalizedUuid(value) !== null;

/** Milliseconds since the epoch of an ISO-8601 time, or NaN when `value` is not one. */
export function isoTimeMs(value: unknown): number {
  return typeof value === 'string' && ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
}

export const isIsoTime = (value: unknown): value is string => !Number.isNaN(isoTimeMs(value));
