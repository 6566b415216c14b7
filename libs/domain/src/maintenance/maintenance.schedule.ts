import type { Weekday } from './maintenance.commands';
import { WEEKDAYS } from './maintenance.commands';
import type { MaintenanceWindow, MaintenanceWindowState } from './maintenance.state';
import { DAY_MS, instantOfWallClock, minutesToMs, wallClockOf } from './maintenance-time';

/** One period of maintenance: `start` inclusive, `end` exclusive. */
export interface MaintenanceOccurrence {
  readonly start: Date;
  readonly end: Date;
}

/** `HH:MM` on a 24-hour clock. */
export const START_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Whether the window covers this monitor: its own, or every monitor of the tenant. */
export const coversMonitor = (window: MaintenanceWindow, monitorId: string): boolean =>
  window.monitorId === null || window.monitorId === monitorId;

/** Past its end: it can no longer cover any check (a recurrence without end never is). */
export const hasEnded = (window: MaintenanceWindow, now: Date): boolean =>
  window.endsAt !== null && window.endsAt.getTime() <= now.getTime();

/** Scheduled and not ended: what the per-tenant limit counts and the read API calls active. */
export const isPending = (window: MaintenanceWindowState, now: Date): window is MaintenanceWindow =>
  window.lifecycle === 'scheduled' && !hasEnded(window, now);

/**
 * The occurrence of the window that contains `at`, clipped to `startsAt`/`endsAt`, or null when
 * `at` is outside the window. This is where a check's entry into and exit from maintenance is
 * known: a consumer that needs "maintenance started/ended" takes the occurrence's bounds.
 * A cancelled window contains nothing: cancelling ends the maintenance for the checks after it.
 */
export function occurrenceAt(window: MaintenanceWindow, at: Date): MaintenanceOccurrence | null {
  if (window.lifecycle !== 'scheduled') return null;
  const atMs = at.getTime();
  const rangeStart = window.startsAt.getTime();
  const rangeEnd = window.endsAt === null ? Infinity : window.endsAt.getTime();
  if (atMs < rangeStart || atMs >= rangeEnd) return null;
  const { recurrence } = window;
  if (recurrence === null) return { start: window.startsAt, end: window.endsAt ?? window.startsAt };

  const durationMs = minutesToMs(recurrence.durationMinutes);
  const [hours, minutes] = recurrence.startTime.split(':').map(Number);
  const startOfLocalDay = Math.floor(wallClockOf(atMs, recurrence.timezone) / DAY_MS) * DAY_MS;
  // An occurrence that began on an earlier local day may still be running.
  const lookBackDays = Math.ceil(durationMs / DAY_MS);
  for (let daysBack = 0; daysBack <= lookBackDays; daysBack += 1) {
    const localDay = startOfLocalDay - daysBack * DAY_MS;
    if (!recurrence.daysOfWeek.includes(weekdayOf(localDay))) continue;
    const start = instantOfWallClock(localDay + minutesToMs(hours * 60 + minutes), recurrence.timezone);
    const end = start + durationMs;
    if (start <= atMs && atMs < end) return { start: new Date(Math.max(start, rangeStart)), end: new Date(Math.min(end, rangeEnd)) };
  }
  return null;
}

/**
 * The windows that hold this monitor in maintenance at `at`, the earliest-starting first (then by
 * id): the first is the window a monitor entering maintenance is said to be in.
 */
export function maintenanceWindowsAt(windows: Iterable<MaintenanceWindow>, monitorId: string, at: Date): MaintenanceWindow[] {
  return [...windows]
    .filter((window) => coversMonitor(window, monitorId) && occurrenceAt(window, at) !== null)
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function weekdayOf(utcMidnightMs: number): Weekday {
  return WEEKDAYS[(new Date(utcMidnightMs).getUTCDay() + 6) % 7];
}

/** The occurrences of the window that overlap [from, to), clipped to it, oldest first. */
export function occurrencesBetween(window: MaintenanceWindow, from: Date, to: Date): MaintenanceOccurrence[] {
  if (window.lifecycle !== 'scheduled') return [];
  const fromMs = Math.max(from.getTime(), window.startsAt.getTime());
  const toMs = Math.min(to.getTime(), window.endsAt === null ? Infinity : window.endsAt.getTime());
  if (fromMs >= toMs) return [];
  const clip = (start: number, end: number): MaintenanceOccurrence[] =>
    Math.max(start, fromMs) < Math.min(end, toMs) ? [{ start: new Date(Math.max(start, fromMs)), end: new Date(Math.min(end, toMs)) }] : [];
  const { recurrence } = window;
  if (recurrence === null) return clip(fromMs, toMs);

  const durationMs = minutesToMs(recurrence.durationMinutes);
  const [hours, minutes] = recurrence.startTime.split(':').map(Number);
  const firstDay = Math.floor(wallClockOf(fromMs, recurrence.timezone) / DAY_MS) * DAY_MS - Math.ceil(durationMs / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(wallClockOf(toMs, recurrence.timezone) / DAY_MS) * DAY_MS;
  const occurrences: MaintenanceOccurrence[] = [];
  for (let localDay = firstDay; localDay <= lastDay; localDay += DAY_MS) {
    if (!recurrence.daysOfWeek.includes(weekdayOf(localDay))) continue;
    const start = instantOfWallClock(localDay + minutesToMs(hours * 60 + minutes), recurrence.timezone);
    occurrences.push(...clip(start, start + durationMs));
  }
  return occurrences;
}

/** Seconds of [from, to) inside any of these windows; overlapping windows count once. */
export function maintenanceSecondsBetween(windows: readonly MaintenanceWindow[], from: Date, to: Date): number {
  const spans = windows.flatMap((window) => occurrencesBetween(window, from, to)).sort((a, b) => a.start.getTime() - b.start.getTime());
  let totalMs = 0;
  let coveredUntil = -Infinity;
  for (const { start, end } of spans) {
    const begin = Math.max(start.getTime(), coveredUntil);
    if (end.getTime() > begin) totalMs += end.getTime() - begin;
    coveredUntil = Math.max(coveredUntil, end.getTime());
  }
  return totalMs / 1000;
}
