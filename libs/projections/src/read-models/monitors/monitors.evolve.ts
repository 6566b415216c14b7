import type { EventEnvelope } from '@vinsight/contracts';
import { TEXT_RULES } from '@vinsight/domain';
import type { EventType } from '@vinsight/domain';
import { reject } from '../../events/projection-rejection';
import { fields } from '../payload-fields';

const URL_FORMAT = /^https?:\/\/./i;
const STATUSES = ['up', 'down', 'unknown'] as const;

/** A row of `monitors`: its definition and status (the last-check columns follow the check results, see last-check.ts). */
export interface MonitorRow {
  tenantId: string;
  id: string;
  name: string;
  url: string;
  checkInterval: number;
  isActive: boolean;
  status: 'up' | 'down' | 'unknown';
  statusChangedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

/** A row of `incidents`. */
export interface IncidentRow {
  tenantId: string;
  id: string;
  monitorId: string;
  startedAt: string;
  resolvedAt: string | null;
  firstError: string | null;
}

export const MONITOR_EVENTS: readonly EventType[] = [
  'MonitorCreated',
  'MonitorUpdated',
  'MonitorPaused',
  'MonitorResumed',
  'MonitorDeleted',
  'MonitorStatusChanged',
  'MonitorMaintenanceStarted',
  'MonitorMaintenanceEnded',
];

/**
 * A monitor with its open incident: the incidents read model is derived from the monitor's
 * status changes, under the monitor's version guard. `incidents` collects every incident row the
 * batch changed, by id, in the order they were first touched.
 */
export interface MonitorState {
  readonly monitor: MonitorRow | null;
  readonly openIncident: IncidentRow | null;
  readonly incidents: ReadonlyMap<string, IncidentRow>;
}

export const monitorVersionOf = (state: MonitorState): number => state.monitor?.version ?? 0;

export function monitorKeyOf(e: EventEnvelope): string {
  const monitorId = fields(e.payload).uuid('monitorId');
  if (monitorId !== e.aggregateId) reject('INVALID_PAYLOAD', 'payload.monitorId differs from the aggregateId');
  return `${e.tenantId}|${monitorId}`;
}

export function evolveMonitor(state: MonitorState | undefined, e: EventEnvelope): MonitorState {
  const p = fields(e.payload);
  const current = state ?? { monitor: null, openIncident: null, incidents: new Map() };
  if (e.type === 'MonitorCreated') {
    if (current.monitor) reject('INVALID_PAYLOAD', `monitor ${e.aggregateId} already exists`);
    return {
      ...current,
      monitor: {
        tenantId: e.tenantId,
        id: e.aggregateId,
        name: p.text('name', TEXT_RULES.monitorName),
        url: p.text('url', TEXT_RULES.monitorUrl, URL_FORMAT),
        checkInterval: p.has('checkInterval') ? p.integer('checkInterval', 10, 86400) : 300,
        isActive: true,
        status: 'unknown',
        statusChangedAt: null,
        version: e.version,
        createdAt: e.occurredAt,
        updatedAt: e.occurredAt,
        deletedAt: null,
      },
    };
  }
  const monitor = current.monitor;
  if (!monitor) return reject('UNKNOWN_AGGREGATE', `monitor ${e.aggregateId} was never created`);
  const next: MonitorRow = { ...monitor, version: e.version, updatedAt: e.occurredAt };
  switch (e.type) {
    case 'MonitorUpdated':
      return {
        ...current,
        monitor: {
          ...next,
          ...(p.has('name') && { name: p.text('name', TEXT_RULES.monitorName) }),
          ...(p.has('url') && { url: p.text('url', TEXT_RULES.monitorUrl, URL_FORMAT) }),
          ...(p.has('checkInterval') && { checkInterval: p.integer('checkInterval', 10, 86400) }),
        },
      };
    case 'MonitorPaused':
      return { ...current, monitor: { ...next, isActive: false } };
    case 'MonitorResumed':
      return { ...current, monitor: { ...next, isActive: true } };
    case 'MonitorDeleted':
      // A deleted monitor is never checked again: its open incident ends with it.
      return resolveOpenIncident({ ...current, monitor: { ...next, deletedAt: e.occurredAt } }, e.occurredAt);
    case 'MonitorStatusChanged':
      return statusChanged(current, next, e);
    case 'MonitorMaintenanceStarted':
    case 'MonitorMaintenanceEnded':
      p.uuid('maintenanceWindowId');
      p.time('checkedAt');
      return { ...current, monitor: next };
    default:
      return reject('UNSUPPORTED_EVENT', `${e.type} is not a monitor lifecycle event`);
  }
}

/**
 * An incident opens when the monitor turns `down` (a check ended down or in error) and resolves
 * when it is `up` again. Its id is the opening event's id, so replays recreate the same row.
 */
function statusChanged(current: MonitorState, next: MonitorRow, e: EventEnvelope): MonitorState {
  const p = fields(e.payload);
  const to = p.oneOf('to', STATUSES);
  p.oneOf('from', STATUSES);
  const checkedAt = p.time('checkedAt');
  const errorMessage = p.optionalText('errorMessage', TEXT_RULES.checkErrorMessage);
  const changed: MonitorState = { ...current, monitor: { ...next, status: to, statusChangedAt: checkedAt } };
  if (to === 'up') return resolveOpenIncident(changed, checkedAt);
  if (to === 'down' && current.openIncident === null) {
    const incident: IncidentRow = {
      tenantId: e.tenantId,
      id: e.eventId,
      monitorId: e.aggregateId,
      startedAt: checkedAt,
      resolvedAt: null,
      firstError: errorMessage,
    };
    return { ...changed, openIncident: incident, incidents: withIncident(changed.incidents, incident) };
  }
  return changed;
}

function resolveOpenIncident(state: MonitorState, at: string): MonitorState {
  const open = state.openIncident;
  if (open === null) return state;
  // Checks can arrive out of order: an end before the start is clamped (incidents_resolved_after_started).
  const resolvedAt = Date.parse(at) < Date.parse(open.startedAt) ? open.startedAt : at;
  const resolved = { ...open, resolvedAt };
  return { ...state, openIncident: null, incidents: withIncident(state.incidents, resolved) };
}

function withIncident(incidents: ReadonlyMap<string, IncidentRow>, incident: IncidentRow): Map<string, IncidentRow> {
  return new Map(incidents).set(incident.id, incident);
}
