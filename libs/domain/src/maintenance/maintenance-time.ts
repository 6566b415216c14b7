/**
 * Wall-clock arithmetic in IANA time zones with the platform's Intl API (the tz database Node
 * ships), so the domain needs no date library. Pure: the same inputs give the same instants.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * True for a time zone name the tz database knows ("Europe/Paris", "UTC"). Offsets such as
 * "+02:00" are refused even where Intl accepts them: they have no daylight saving rules, which
 * is what a recurring window's time zone is for.
 */
export function isIanaTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone) || timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of `instant` in `timeZone`, as milliseconds of a UTC date with the same fields. */
export function wallClockOf(instantMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second) + (instantMs % 1000);
}

/**
 * The instant at which the wall clock of `timeZone` shows `wallClockMs` (fields read as UTC),
 * resolved as Temporal's "compatible" disambiguation does: a time skipped by a spring-forward
 * gap is moved forward by the gap's length (02:30 becomes 03:30), a time repeated by a fall-back
 * overlap is its first (earlier) occurrence. Transitions are assumed at least a day apart.
 */
export function instantOfWallClock(wallClockMs: number, timeZone: string): number {
  const offsetBefore = wallClockOf(wallClockMs - DAY_MS, timeZone) - (wallClockMs - DAY_MS);
  const offsetAfter = wallClockOf(wallClockMs + DAY_MS, timeZone) - (wallClockMs + DAY_MS);
  const candidates = [wallClockMs - offsetBefore, wallClockMs - offsetAfter].filter(
    (instant) => wallClockOf(instant, timeZone) === wallClockMs,
  );
  if (candidates.length === 0) return wallClockMs - offsetBefore;
  return Math.min(...candidates);
}

export const minutesToMs = (minutes: number): number => minutes * MINUTE_MS;
export { DAY_MS };
