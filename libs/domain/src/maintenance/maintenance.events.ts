import type { Event } from '../shared/event';
import type { WeeklyRecurrence } from './maintenance.commands';

/** Carries only the optional fields the command set. */
export type MaintenanceScheduled = Event<
  'MaintenanceScheduled',
  {
    maintenanceWindowId: string;
    monitorId?: string;
    title?: string;
    startsAt: Date;
    endsAt?: Date;
    recurrence?: WeeklyRecurrence;
  }
>;
export type MaintenanceCancelled = Event<'MaintenanceCancelled', { maintenanceWindowId: string }>;

export type MaintenanceEvent = MaintenanceScheduled | MaintenanceCancelled;
