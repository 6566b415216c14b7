import type { Event } from '../shared/event';
import type { CheckStatus } from './monitor.commands';

/**
 * The monitor's own status, as the read API shows it (`up` | `down` | `unknown`). A check that
 * ended in `error` makes the monitor `down`: the endpoint could not be reached, which is what
 * an incident is about; the check's own status keeps the distinction.
 */
export type MonitorStatus = 'unknown' | 'up' | 'down';

export type MonitorCreated = Event<'MonitorCreated', { monitorId: string; name: string; url: string; checkInterval: number }>;
/** Carries only the fields the command set. */
export type MonitorUpdated = Event<'MonitorUpdated', { monitorId: string; name?: string; url?: string; checkInterval?: number }>;
export type MonitorPaused = Event<'MonitorPaused', { monitorId: string }>;
export type MonitorResumed = Event<'MonitorResumed', { monitorId: string }>;
/**
 * `lastStatus`: the monitor's status when it was deleted, so that a consumer of the events alone
 * (the live stream) knows a `down` monitor's open incident ends with it. Absent in events written
 * before it was added.
 */
export type MonitorDeleted = Event<'MonitorDeleted', { monitorId: string; lastStatus?: MonitorStatus }>;
/**
 * Published on `check-events`, not on the event store: see the versioning note in decide.
 * Version 2: `region` is always present, null when the probe did not say (version 1 left it out;
 * contracts' event-upcasters.ts lifts it).
 */
export type CheckRecorded = Event<
  'CheckRecorded',
  {
    monitorId: string;
    checkId: string;
    status: CheckStatus;
    responseTimeMs?: number;
    statusCode?: number;
    errorMessage?: string;
    checkedAt: Date;
    region: string | null;
    /**
     * True when the check fell inside a maintenance window of its monitor: it changed no status
     * and opened or resolved no incident, and uptime leaves it out. Absent means false (v1 never has it).
     */
    inMaintenance?: boolean;
  }
>;
export type MonitorStatusChanged = Event<
  'MonitorStatusChanged',
  {
    monitorId: string;
    from: MonitorStatus;
    to: MonitorStatus;
    checkId: string;
    checkedAt: Date;
    errorMessage?: string;
  }
>;

/**
 * The monitor's newest check fell inside a maintenance window (`maintenanceWindowId`; the
 * earliest-starting one when several cover it) while the monitor was not in maintenance.
 */
export type MonitorMaintenanceStarted = Event<
  'MonitorMaintenanceStarted',
  { monitorId: string; maintenanceWindowId: string; checkId: string; checkedAt: Date }
>;
/**
 * The monitor's newest check fell outside the window it was in (the window ended or was
 * cancelled); a MonitorMaintenanceStarted follows when another window holds that check.
 */
export type MonitorMaintenanceEnded = Event<
  'MonitorMaintenanceEnded',
  { monitorId: string; maintenanceWindowId: string; checkId: string; checkedAt: Date }
>;

export type MonitorEvent =
  | MonitorCreated
  | MonitorUpdated
  | MonitorPaused
  | MonitorResumed
  | MonitorDeleted
  | CheckRecorded
  | MonitorStatusChanged
  | MonitorMaintenanceStarted
  | MonitorMaintenanceEnded;

export const monitorStatusOf = (check: CheckStatus): MonitorStatus => (check === 'up' ? 'up' : 'down');
