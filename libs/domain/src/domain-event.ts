import type { ApiKeyEvent } from './api-key/api-key.events';
import type { MaintenanceEvent } from './maintenance/maintenance.events';
import type { MonitorEvent } from './monitor/monitor.events';
import type { TenantEvent } from './tenant/tenant.events';
import type { UserEvent } from './user/user.events';

/** Every event of asyncapi.yaml, CommandEnvelope. */
export type DomainEvent = TenantEvent | UserEvent | ApiKeyEvent | MonitorEvent | MaintenanceEvent;
export type EventType = DomainEvent['type'];
export type EventOfType<T extends EventType> = Extract<DomainEvent, { type: T }>;

export type AggregateType = 'tenant' | 'user' | 'api-key' | 'monitor' | 'maintenance-window';

/** Which aggregate each event type belongs to; the compiler keeps it complete. */
export const AGGREGATE_TYPE_OF_EVENT: Readonly<Record<EventType, AggregateType>> = {
  TenantCreated: 'tenant',
  TenantRenamed: 'tenant',
  TenantPlanChanged: 'tenant',
  TenantDeactivated: 'tenant',
  TenantReactivated: 'tenant',
  TenantDeleted: 'tenant',
  UserRegistered: 'user',
  UserRoleChanged: 'user',
  UserDeactivated: 'user',
  UserReactivated: 'user',
  UserLoggedIn: 'user',
  UserRemoved: 'user',
  UserErased: 'user',
  ApiKeyIssued: 'api-key',
  ApiKeyRevoked: 'api-key',
  MonitorCreated: 'monitor',
  MonitorUpdated: 'monitor',
  MonitorPaused: 'monitor',
  MonitorResumed: 'monitor',
  MonitorDeleted: 'monitor',
  CheckRecorded: 'monitor',
  MonitorStatusChanged: 'monitor',
  MonitorMaintenanceStarted: 'monitor',
  MonitorMaintenanceEnded: 'monitor',
  MaintenanceScheduled: 'maintenance-window',
  MaintenanceCancelled: 'maintenance-window',
};

export const EVENT_TYPES = Object.keys(AGGREGATE_TYPE_OF_EVENT) as readonly EventType[];

export const isEventType = (type: unknown): type is EventType =>
  typeof type === 'string' && Object.prototype.hasOwnProperty.call(AGGREGATE_TYPE_OF_EVENT, type);

/**
 * Whether the event counts towards its aggregate's version. Only CheckRecorded does not: check
 * results are high-volume facts published on `check-events` (30-day retention), not on the
 * event store, so the monitor's version must be rebuildable from `events` alone. The status
 * change a check causes (MonitorStatusChanged) is on `events` and does bump the version.
 */
export const bumpsVersion = (type: EventType): boolean => type !== 'CheckRecorded';
