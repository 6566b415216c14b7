import { Map as ImmutableMap } from 'immutable';
import type { ApiKey } from '../api-key/api-key.state';
import { evolveApiKey, initialApiKeyState } from '../api-key/api-key.state';
import type { DomainEvent } from '../domain-event';
import { isPending } from '../maintenance/maintenance.schedule';
import type { MaintenanceWindow, RetiredMaintenanceWindow } from '../maintenance/maintenance.state';
import { evolveMaintenanceWindow, initialMaintenanceWindowState } from '../maintenance/maintenance.state';
import type { Monitor } from '../monitor/monitor.state';
import { evolveMonitor, initialMonitorState } from '../monitor/monitor.state';
import type { TenantState } from '../tenant/tenant.state';
import { evolveTenant, initialTenantState } from '../tenant/tenant.state';
import type { User } from '../user/user.state';
import { evolveUser, initialUserState } from '../user/user.state';

/**
 * The write model of one tenant: the unit of consistency. Commands and events are keyed by
 * tenant id, so one processor owns all of a tenant's aggregates, and rules that span them (plan
 * limits, email uniqueness, "an inactive tenant accepts nothing") are decided against this one
 * state without any cross-partition coordination. Aggregates that do not exist are absent from
 * the maps; removed and deleted ones stay, so their ids are never reused and versions go on.
 *
 * The maps are persistent (Immutable.js: a hash array mapped trie), so evolve stays pure without
 * copying a map per event: a check of a tenant with a thousand monitors changes one path of the
 * trie, not a thousand entries.
 */
export interface TenantWriteState {
  readonly tenant: TenantState;
  readonly users: ImmutableMap<string, User>;
  readonly apiKeys: ImmutableMap<string, ApiKey>;
  readonly monitors: ImmutableMap<string, Monitor>;
  /**
   * Windows that may still cover a check: scheduled, and not ended for longer than
   * RETIRED_WINDOW_GRACE_MS. Every check is decided against all of them, so they must not pile up.
   */
  readonly maintenanceWindows: ImmutableMap<string, MaintenanceWindow>;
  /** Cancelled and ended windows, reduced to id and version: their ids stay taken. */
  readonly retiredMaintenanceWindows: ImmutableMap<string, RetiredMaintenanceWindow>;
}

/**
 * How long a window stays in `maintenanceWindows` after its end: a check is judged by its
 * `checkedAt`, and a probe's result may reach the processor late (retries, a backlog), so a check
 * taken inside the window but decided up to a day after it still counts as maintenance. The
 * decider ignores windows ended longer ago (`maintenanceWindowsAt`'s callers pass `now`), so what
 * is decided does not depend on when the state was last pruned.
 */
export const RETIRED_WINDOW_GRACE_MS = 24 * 60 * 60 * 1000;

export const initialTenantWriteState = (): TenantWriteState => ({
  tenant: initialTenantState(),
  users: ImmutableMap(),
  apiKeys: ImmutableMap(),
  monitors: ImmutableMap(),
  maintenanceWindows: ImmutableMap(),
  retiredMaintenanceWindows: ImmutableMap(),
});

/**
 * evolveTenantWriteState, then the windows ended more than RETIRED_WINDOW_GRACE_MS before
 * `occurredAt` (the event's envelope time) retired. The processor uses this one, deciding and
 * rebuilding alike: the time is in the log, so a rebuild prunes exactly as the live state did.
 */
export function evolveTenantWriteStateAt(state: TenantWriteState, event: DomainEvent, occurredAt: Date): TenantWriteState {
  return retireEndedWindows(evolveTenantWriteState(state, event), occurredAt);
}

/** Whether a scheduled window can no longer cover a check decided at `now`. */
export const isRetiredAt = (window: MaintenanceWindow, now: Date): boolean =>
  window.endsAt !== null && window.endsAt.getTime() + RETIRED_WINDOW_GRACE_MS <= now.getTime();

function retireEndedWindows(state: TenantWriteState, now: Date): TenantWriteState {
  if (state.maintenanceWindows.size === 0) return state;
  let { maintenanceWindows, retiredMaintenanceWindows } = state;
  for (const window of state.maintenanceWindows.values()) {
    if (!isRetiredAt(window, now)) continue;
    retiredMaintenanceWindows = retiredMaintenanceWindows.set(window.id, { lifecycle: 'ended', id: window.id, version: window.version });
    maintenanceWindows = maintenanceWindows.delete(window.id);
  }
  return maintenanceWindows === state.maintenanceWindows ? state : { ...state, maintenanceWindows, retiredMaintenanceWindows };
}

export function evolveTenantWriteState(state: TenantWriteState, event: DomainEvent): TenantWriteState {
  switch (event.type) {
    case 'TenantCreated':
    case 'TenantRenamed':
    case 'TenantPlanChanged':
    case 'TenantDeactivated':
    case 'TenantReactivated':
    case 'TenantDeleted':
      return { ...state, tenant: evolveTenant(state.tenant, event) };
    case 'UserRegistered':
    case 'UserRoleChanged':
    case 'UserDeactivated':
    case 'UserReactivated':
    case 'UserLoggedIn':
    case 'UserRemoved':
    case 'UserErased': {
      const next = evolveUser(state.users.get(event.data.userId) ?? initialUserState(), event);
      return next.lifecycle === 'absent' ? state : { ...state, users: state.users.set(next.id, next) };
    }
    case 'ApiKeyIssued':
    case 'ApiKeyRevoked': {
      const next = evolveApiKey(state.apiKeys.get(event.data.apiKeyId) ?? initialApiKeyState(), event);
      return next.lifecycle === 'absent' ? state : { ...state, apiKeys: state.apiKeys.set(next.id, next) };
    }
    case 'MonitorCreated':
    case 'MonitorUpdated':
    case 'MonitorPaused':
    case 'MonitorResumed':
    case 'MonitorDeleted':
    case 'CheckRecorded':
    case 'MonitorStatusChanged':
    case 'MonitorMaintenanceStarted':
    case 'MonitorMaintenanceEnded': {
      const next = evolveMonitor(state.monitors.get(event.data.monitorId) ?? initialMonitorState(), event);
      return next.lifecycle === 'absent' ? state : { ...state, monitors: state.monitors.set(next.id, next) };
    }
    case 'MaintenanceScheduled':
    case 'MaintenanceCancelled': {
      const current = state.maintenanceWindows.get(event.data.maintenanceWindowId) ?? initialMaintenanceWindowState();
      const next = evolveMaintenanceWindow(current, event);
      switch (next.lifecycle) {
        case 'absent':
        case 'ended':
          return state;
        case 'scheduled':
          return { ...state, maintenanceWindows: state.maintenanceWindows.set(next.id, next) };
        case 'cancelled': {
          // A cancelled window covers nothing from then on.
          const retired: RetiredMaintenanceWindow = { lifecycle: 'cancelled', id: next.id, version: next.version };
          return {
            ...state,
            maintenanceWindows: state.maintenanceWindows.delete(next.id),
            retiredMaintenanceWindows: state.retiredMaintenanceWindows.set(next.id, retired),
          };
        }
      }
    }
  }
}

/** Maintenance windows that count against the per-tenant limit: scheduled and not ended at `now`. */
export const pendingMaintenanceWindows = (state: TenantWriteState, now: Date): MaintenanceWindow[] =>
  [...state.maintenanceWindows.values()].filter((window) => isPending(window, now));

/** Monitors that count against the plan: every one not deleted, paused ones included. */
export const liveMonitors = (state: TenantWriteState): Monitor[] =>
  [...state.monitors.values()].filter((monitor) => monitor.lifecycle !== 'deleted');
