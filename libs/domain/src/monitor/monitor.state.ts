import { CheckIdWindow } from './check-id-window';
import type { MonitorEvent, MonitorStatus } from './monitor.events';

/**
 * How many recent check ids each monitor remembers for checkId idempotency. The set must be
 * bounded: it lives in the processor's memory for every monitor of every tenant it owns and in
 * every snapshot, and a monitor checked every 10 s produces 8,640 ids a day, so an unbounded set
 * grows without end (at ~64 bytes an id, 1,000 per monitor would already cost 64 MB for one pro
 * tenant with 1,000 monitors). Duplicates come from checker retries and redeliveries, which
 * happen within seconds to a few minutes; 100 ids cover at least 16 minutes even at the shortest
 * interval (10 s). Older duplicates are harmless: they are older than the monitor's newest check,
 * so they cannot change its status (see RecordCheckResult), and the check projector upserts by
 * check id.
 */
export const CHECK_ID_WINDOW = 100;

export interface Monitor {
  readonly lifecycle: 'active' | 'paused' | 'deleted';
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly checkInterval: number;
  readonly status: MonitorStatus;
  /** `checkedAt` of the newest check seen; older checks are history and do not move the status. */
  readonly lastCheckedAt: Date | null;
  /** At most CHECK_ID_WINDOW, oldest first. */
  readonly recentCheckIds: CheckIdWindow;
  /**
   * The maintenance window the newest check found the monitor in (MonitorMaintenanceStarted),
   * null outside maintenance: what the next check is compared with to tell an entry or an exit.
   */
  readonly maintenanceWindowId: string | null;
  readonly version: number;
}

export interface NoMonitor {
  readonly lifecycle: 'absent';
  readonly version: 0;
}

export type MonitorState = NoMonitor | Monitor;

export const initialMonitorState = (): MonitorState => ({ lifecycle: 'absent', version: 0 });

export function evolveMonitor(state: MonitorState, event: MonitorEvent): MonitorState {
  if (event.type === 'MonitorCreated') {
    const { monitorId, name, url, checkInterval } = event.data;
    return {
      lifecycle: 'active',
      id: monitorId,
      name,
      url,
      checkInterval,
      status: 'unknown',
      lastCheckedAt: null,
      recentCheckIds: CheckIdWindow.empty(CHECK_ID_WINDOW),
      maintenanceWindowId: null,
      version: state.version + 1,
    };
  }
  if (state.lifecycle === 'absent') return state;
  switch (event.type) {
    case 'MonitorUpdated': {
      const { name, url, checkInterval } = event.data;
      return {
        ...state,
        name: name ?? state.name,
        url: url ?? state.url,
        checkInterval: checkInterval ?? state.checkInterval,
        version: state.version + 1,
      };
    }
    case 'MonitorPaused':
      return { ...state, lifecycle: 'paused', version: state.version + 1 };
    case 'MonitorResumed':
      return { ...state, lifecycle: 'active', version: state.version + 1 };
    case 'MonitorDeleted':
      // Nothing can be recorded on a deleted monitor, so its check ids are dead weight.
      return { ...state, lifecycle: 'deleted', recentCheckIds: CheckIdWindow.empty(CHECK_ID_WINDOW), version: state.version + 1 };
    case 'CheckRecorded':
      // Not a version bump: check results are high-volume facts on their own topic.
      return {
        ...state,
        lastCheckedAt: latest(state.lastCheckedAt, event.data.checkedAt),
        recentCheckIds: state.recentCheckIds.with(event.data.checkId),
      };
    case 'MonitorStatusChanged':
      return {
        ...state,
        status: event.data.to,
        lastCheckedAt: latest(state.lastCheckedAt, event.data.checkedAt),
        version: state.version + 1,
      };
    case 'MonitorMaintenanceStarted':
      return {
        ...state,
        maintenanceWindowId: event.data.maintenanceWindowId,
        lastCheckedAt: latest(state.lastCheckedAt, event.data.checkedAt),
        version: state.version + 1,
      };
    case 'MonitorMaintenanceEnded':
      return {
        ...state,
        maintenanceWindowId: null,
        lastCheckedAt: latest(state.lastCheckedAt, event.data.checkedAt),
        version: state.version + 1,
      };
  }
}

const latest = (current: Date | null, candidate: Date): Date =>
  current !== null && current.getTime() > candidate.getTime() ? current : candidate;
