import type { Command } from '../shared/command';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A weekly repetition: on each of `daysOfWeek`, at `startTime` (`HH:MM`, 24 h) on the wall clock of
 * `timezone` (IANA), for `durationMinutes` of elapsed time. Occurrences are clipped to the window's
 * `startsAt`/`endsAt`.
 */
export interface WeeklyRecurrence {
  readonly daysOfWeek: readonly Weekday[];
  readonly startTime: string;
  readonly durationMinutes: number;
  readonly timezone: string;
}

export type ScheduleMaintenance = Command<
  'ScheduleMaintenance',
  {
    maintenanceWindowId: string;
    /** Absent: every monitor of the tenant, those created later included. */
    monitorId?: string;
    title?: string;
    startsAt: Date;
    /** Required unless `recurrence` is given (then absent means "repeats until cancelled"). */
    endsAt?: Date;
    recurrence?: WeeklyRecurrence;
  }
>;
export type CancelMaintenance = Command<'CancelMaintenance', { maintenanceWindowId: string }>;

export type MaintenanceCommand = ScheduleMaintenance | CancelMaintenance;
