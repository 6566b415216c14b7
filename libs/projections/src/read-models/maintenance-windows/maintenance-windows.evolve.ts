import type { EventEnvelope } from '@vinsight/contracts';
import type { EventType } from '@vinsight/domain';
import { MAINTENANCE_LIMITS, START_TIME_PATTERN, TEXT_RULES, WEEKDAYS } from '@vinsight/domain';
import { reject } from '../../events/projection-rejection';
import { fields } from '../payload-fields';

/** A row of `maintenance_windows`. */
export interface MaintenanceWindowRow {
  tenantId: string;
  id: string;
  monitorId: string | null;
  title: string | null;
  startsAt: string;
  endsAt: string | null;
  recurrenceDays: string[] | null;
  recurrenceStartTime: string | null;
  recurrenceDurationMinutes: number | null;
  recurrenceTimezone: string | null;
  cancelledAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const MAINTENANCE_WINDOW_EVENTS: readonly EventType[] = ['MaintenanceScheduled', 'MaintenanceCancelled'];

export function maintenanceWindowKeyOf(e: EventEnvelope): string {
  const id = fields(e.payload).uuid('maintenanceWindowId');
  if (id !== e.aggregateId) reject('INVALID_PAYLOAD', 'payload.maintenanceWindowId differs from the aggregateId');
  return `${e.tenantId}|${id}`;
}

/** The maintenance_windows read model; a cancelled window keeps its row, with the time it was cancelled. */
export function evolveMaintenanceWindow(row: MaintenanceWindowRow | undefined, e: EventEnvelope): MaintenanceWindowRow {
  const p = fields(e.payload);
  if (e.type === 'MaintenanceScheduled') {
    if (row) reject('INVALID_PAYLOAD', `maintenance window ${e.aggregateId} already exists`);
    const startsAt = p.time('startsAt');
    const endsAt = p.optionalTime('endsAt');
    if (endsAt !== null && Date.parse(endsAt) <= Date.parse(startsAt)) reject('INVALID_PAYLOAD', 'payload.endsAt must be after startsAt');
    const recurrence = recurrenceOf((e.payload as Record<string, unknown>).recurrence);
    if (recurrence === null && endsAt === null) reject('INVALID_PAYLOAD', 'payload.endsAt is required without recurrence');
    return {
      tenantId: e.tenantId,
      id: e.aggregateId,
      monitorId: p.has('monitorId') ? p.uuid('monitorId') : null,
      title: p.has('title') ? p.text('title', TEXT_RULES.maintenanceTitle) : null,
      startsAt,
      endsAt,
      recurrenceDays: recurrence?.daysOfWeek ?? null,
      recurrenceStartTime: recurrence?.startTime ?? null,
      recurrenceDurationMinutes: recurrence?.durationMinutes ?? null,
      recurrenceTimezone: recurrence?.timezone ?? null,
      cancelledAt: null,
      version: e.version,
      createdAt: e.occurredAt,
      updatedAt: e.occurredAt,
    };
  }
  if (!row) return reject('UNKNOWN_AGGREGATE', `maintenance window ${e.aggregateId} was never scheduled`);
  if (e.type === 'MaintenanceCancelled') return { ...row, cancelledAt: e.occurredAt, version: e.version, updatedAt: e.occurredAt };
  return reject('UNSUPPORTED_EVENT', `${e.type} is not a maintenance window event`);
}

function recurrenceOf(value: unknown): { daysOfWeek: string[]; startTime: string; durationMinutes: number; timezone: string } | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object') return reject('INVALID_PAYLOAD', 'payload.recurrence must be an object');
  const r = fields(value);
  const days = (value as Record<string, unknown>).daysOfWeek;
  if (
    !Array.isArray(days) ||
    days.length === 0 ||
    days.some((day) => !(WEEKDAYS as readonly unknown[]).includes(day)) ||
    new Set(days).size !== days.length
  ) {
    reject('INVALID_PAYLOAD', `payload.recurrence.daysOfWeek must name distinct days among ${WEEKDAYS.join(', ')}`);
  }
  return {
    daysOfWeek: days as string[],
    startTime: r.text('startTime', { min: 5, max: 5 }, START_TIME_PATTERN),
    durationMinutes: r.integer('durationMinutes', 1, MAINTENANCE_LIMITS.maxOccurrenceMinutes),
    timezone: r.text('timezone', { min: 1, max: 64 }),
  };
}
