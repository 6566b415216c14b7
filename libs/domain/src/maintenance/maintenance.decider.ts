import { alreadyExists, invalidState, notFound, planLimitExceeded, validationFailed } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { accept, reject } from '../shared/outcome';
import type { MaintenanceCommand, ScheduleMaintenance } from './maintenance.commands';
import { WEEKDAYS } from './maintenance.commands';
import type { MaintenanceEvent } from './maintenance.events';
import { START_TIME_PATTERN, hasEnded } from './maintenance.schedule';
import type { MaintenanceWindowState } from './maintenance.state';
import { DAY_MS, isIanaTimeZone } from './maintenance-time';

/**
 * Limits of every plan (asyncapi.yaml, ScheduleMaintenance). They bound the work each check costs
 * the processor (every pending window is looked at) and keep a typo in a date from silencing a
 * monitor for years.
 */
export const MAINTENANCE_LIMITS = {
  /** Windows scheduled and not ended, per tenant. */
  maxPendingWindows: 100,
  /** Length of a window without recurrence. */
  maxOneOffDays: 7,
  /** How far ahead a window may start. */
  maxStartAheadDays: 366,
  /** Length of one occurrence of a recurrence. */
  maxOccurrenceMinutes: 7 * 24 * 60,
} as const;

export interface MaintenanceDecisionContext {
  /** True for a monitor of the tenant that is not deleted. */
  readonly isLiveMonitor: (monitorId: string) => boolean;
  /** Windows of the tenant that are scheduled and have not ended. */
  readonly pendingWindowCount: number;
}

export function decideMaintenance(
  command: MaintenanceCommand,
  window: MaintenanceWindowState,
  context: MaintenanceDecisionContext,
): Outcome<MaintenanceEvent> {
  const { maintenanceWindowId } = command.data;
  const { now } = command.metadata;
  switch (command.type) {
    case 'ScheduleMaintenance': {
      if (window.lifecycle !== 'absent') {
        return reject(alreadyExists(`maintenance window ${maintenanceWindowId} already exists`, 'payload.maintenanceWindowId'));
      }
      const problem = scheduleProblem(command, now);
      if (problem !== null) return reject(validationFailed(problem.field, problem.message));
      const { monitorId } = command.data;
      if (monitorId !== undefined && !context.isLiveMonitor(monitorId)) {
        return reject(notFound(`monitor ${monitorId} does not exist`, 'payload.monitorId'));
      }
      if (context.pendingWindowCount >= MAINTENANCE_LIMITS.maxPendingWindows) {
        return reject(
          planLimitExceeded(
            `every plan allows at most ${MAINTENANCE_LIMITS.maxPendingWindows} maintenance windows that have not ended`,
            'payload.maintenanceWindowId',
          ),
        );
      }
      const { title, startsAt, endsAt, recurrence } = command.data;
      return accept({
        type: 'MaintenanceScheduled',
        data: {
          maintenanceWindowId,
          ...(monitorId !== undefined && { monitorId }),
          ...(title !== undefined && { title }),
          startsAt,
          ...(endsAt !== undefined && { endsAt }),
          ...(recurrence !== undefined && {
            recurrence: { ...recurrence, daysOfWeek: WEEKDAYS.filter((day) => recurrence.daysOfWeek.includes(day)) },
          }),
        },
      });
    }
    case 'CancelMaintenance':
      if (window.lifecycle === 'absent') {
        return reject(notFound(`maintenance window ${maintenanceWindowId} does not exist`, 'payload.maintenanceWindowId'));
      }
      if (window.lifecycle === 'cancelled') return reject(invalidState(`maintenance window ${maintenanceWindowId} is already cancelled`));
      if (window.lifecycle !== 'scheduled' || hasEnded(window, now)) {
        return reject(invalidState(`maintenance window ${maintenanceWindowId} has already ended`));
      }
      return accept({ type: 'MaintenanceCancelled', data: { maintenanceWindowId } });
  }
}

/** The first rule of a schedule that the command breaks, with the field it names. */
function scheduleProblem(command: ScheduleMaintenance, now: Date): { field: string; message: string } | null {
  const { startsAt, endsAt, recurrence } = command.data;
  if (startsAt.getTime() - now.getTime() > MAINTENANCE_LIMITS.maxStartAheadDays * DAY_MS) {
    return { field: 'payload.startsAt', message: `startsAt must be at most ${MAINTENANCE_LIMITS.maxStartAheadDays} days ahead` };
  }
  if (endsAt === undefined && recurrence === undefined) {
    return { field: 'payload.endsAt', message: 'endsAt is required for a window without recurrence' };
  }
  if (endsAt !== undefined) {
    if (endsAt.getTime() <= startsAt.getTime()) return { field: 'payload.endsAt', message: 'endsAt must be after startsAt' };
    if (endsAt.getTime() <= now.getTime()) return { field: 'payload.endsAt', message: 'endsAt must be in the future' };
    if (recurrence === undefined && endsAt.getTime() - startsAt.getTime() > MAINTENANCE_LIMITS.maxOneOffDays * DAY_MS) {
      return {
        field: 'payload.endsAt',
        message: `a window without recurrence lasts at most ${MAINTENANCE_LIMITS.maxOneOffDays} days`,
      };
    }
  }
  if (recurrence !== undefined) {
    const { daysOfWeek, startTime, durationMinutes, timezone } = recurrence;
    if (daysOfWeek.length === 0 || daysOfWeek.some((day) => !WEEKDAYS.includes(day))) {
      return { field: 'payload.recurrence.daysOfWeek', message: `daysOfWeek must name at least one of ${WEEKDAYS.join(', ')}` };
    }
    if (!START_TIME_PATTERN.test(startTime)) {
      return { field: 'payload.recurrence.startTime', message: 'startTime must be HH:MM on a 24-hour clock' };
    }
    if (!Number.isInteger(durationMinutes) || durationMinutes < 1 || durationMinutes > MAINTENANCE_LIMITS.maxOccurrenceMinutes) {
      return {
        field: 'payload.recurrence.durationMinutes',
        message: `durationMinutes must be a whole number from 1 to ${MAINTENANCE_LIMITS.maxOccurrenceMinutes}`,
      };
    }
    if (!isIanaTimeZone(timezone)) {
      return { field: 'payload.recurrence.timezone', message: `timezone ${timezone} is not an IANA time zone name` };
    }
  }
  return null;
}
