import type { ApiKey } from '../api-key/api-key.state';
import { evolveApiKey, initialApiKeyState } from '../api-key/api-key.state';
import type { DomainEvent } from '../domain-event';
import { isPending } from '../maintenance/maintenance.schedule';
import type { MaintenanceWindow } from '../maintenance/maintenance.state';
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
 * evolve copies the map it changes (O(entities) per event) to stay pure; it is the price of
 * immutability and small next to a Kafka round trip.
 */
export interface TenantWriteState {
  readonly tenant: TenantState;
  readonly users: ReadonlyMap<string, User>;
  readonly apiKeys: ReadonlyMap<string, ApiKey>;
  readonly monitors: ReadonlyMap<string, Monitor>;
  /** Cancelled and ended ones included: their ids stay taken. */
  readonly maintenanceWindows: ReadonlyMap<string, MaintenanceWindow>;
}

export const initialTenantWriteState = (): TenantWriteState => ({
  tenant: initialTenantState(),
  users: new Map(),
  apiKeys: new Map(),
  monitors: new Map(),
  maintenanceWindows: new Map(),
});

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
      return next.lifecycle === 'absent' ? state : { ...state, users: withEntry(state.users, next.id, next) };
    }
    case 'ApiKeyIssued':
    case 'ApiKeyRevoked': {
      const next = evolveApiKey(state.apiKeys.get(event.data.apiKeyId) ?? initialApiKeyState(), event);
      return next.lifecycle === 'absent' ? state : { ...state, apiKeys: withEntry(state.apiKeys, next.id, next) };
    }
    case 'MonitorCreated':
    case 'MonitorUpdated':
    case 'MonitorPaused':
    case 'MonitorResumed':
    case 'MonitorDeleted':
    case 'CheckRecorded':
    case 'MonitorStatusChanged': {
      const next = evolveMonitor(state.monitors.get(event.data.monitorId) ?? initialMonitorState(), event);
      return next.lifecycle === 'absent' ? state : { ...state, monitors: withEntry(state.monitors, next.id, next) };
    }
    case 'MaintenanceScheduled':
    case 'MaintenanceCancelled': {
      const current = state.maintenanceWindows.get(event.data.maintenanceWindowId) ?? initialMaintenanceWindowState();
      const next = evolveMaintenanceWindow(current, event);
      return next.lifecycle === 'absent' ? state : { ...state, maintenanceWindows: withEntry(state.maintenanceWindows, next.id, next) };
    }
  }
}

/** Maintenance windows that count against the per-tenant limit: scheduled and not ended at `now`. */
export const pendingMaintenanceWindows = (state: TenantWriteState, now: Date): MaintenanceWindow[] =>
  [...state.maintenanceWindows.values()].filter((window) => isPending(window, now));

/** Monitors that count against the plan: every one not deleted, paused ones included. */
export const liveMonitors = (state: TenantWriteState): Monitor[] =>
  [...state.monitors.values()].filter((monitor) => monitor.lifecycle !== 'deleted');

function withEntry<T>(map: ReadonlyMap<string, T>, key: string, value: T): ReadonlyMap<string, T> {
  return new Map(map).set(key, value);
}
