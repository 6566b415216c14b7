import type { EventEnvelope } from '@vinsight/contracts';
import { id } from '../../testing/envelopes';
import { evolveMaintenanceWindow, maintenanceWindowKeyOf } from './maintenance-windows.evolve';

const windowId = id('window');

function envelope(type: 'MaintenanceScheduled' | 'MaintenanceCancelled', version: number, payload: Record<string, unknown>): EventEnvelope {
  return {
    eventId: id(`event-${version}`),
    type,
    schemaVersion: 1,
    tenantId: id('tenant'),
    aggregateType: 'maintenance-window',
    aggregateId: windowId,
    version,
    occurredAt: `2026-01-15T10:0${version}:00.000Z`,
    commandId: id(`command-${version}`),
    correlationId: id(`command-${version}`),
    payload: { maintenanceWindowId: windowId, ...payload },
  } as unknown as EventEnvelope;
}

const weekly = { daysOfWeek: ['sat', 'sun'], startTime: '02:00', durationMinutes: 90, timezone: 'Europe/Paris' };

describe('maintenance_windows evolve', () => {
  it('folds a scheduled recurring window and its cancellation into one row', () => {
    const scheduled = envelope('MaintenanceScheduled', 1, {
      monitorId: id('monitor'),
      startsAt: '2026-01-16T00:00:00.000Z',
      recurrence: weekly,
    });
    const row = evolveMaintenanceWindow(undefined, scheduled);
    expect(row).toEqual({
      tenantId: id('tenant'),
      id: windowId,
      monitorId: id('monitor'),
      title: null,
      startsAt: '2026-01-16T00:00:00.000Z',
      endsAt: null,
      recurrenceDays: ['sat', 'sun'],
      recurrenceStartTime: '02:00',
      recurrenceDurationMinutes: 90,
      recurrenceTimezone: 'Europe/Paris',
      cancelledAt: null,
      version: 1,
      createdAt: '2026-01-15T10:01:00.000Z',
      updatedAt: '2026-01-15T10:01:00.000Z',
    });
    expect(evolveMaintenanceWindow(row, envelope('MaintenanceCancelled', 2, {}))).toMatchObject({
      cancelledAt: '2026-01-15T10:02:00.000Z',
      version: 2,
      updatedAt: '2026-01-15T10:02:00.000Z',
    });
    expect(maintenanceWindowKeyOf(scheduled)).toBe(`${id('tenant')}|${windowId}`);
  });

  it.each([
    [{ startsAt: '2026-01-16T00:00:00.000Z' }, /endsAt is required/],
    [{ startsAt: '2026-01-16T00:00:00.000Z', endsAt: '2026-01-15T00:00:00.000Z' }, /endsAt must be after/],
    [{ startsAt: '2026-01-16T00:00:00.000Z', recurrence: { ...weekly, daysOfWeek: ['sat', 'sat'] } }, /daysOfWeek/],
    [{ startsAt: '2026-01-16T00:00:00.000Z', recurrence: { ...weekly, startTime: '2:00' } }, /startTime/],
    [{ startsAt: '2026-01-16T00:00:00.000Z', endsAt: '2026-01-17T00:00:00.000Z', title: '' }, /title/],
  ])('refuses what the table would refuse: %j', (payload, message) => {
    expect(() => evolveMaintenanceWindow(undefined, envelope('MaintenanceScheduled', 1, payload))).toThrow(message);
  });

  it('refuses a cancellation of a window it never saw', () => {
    expect(() => evolveMaintenanceWindow(undefined, envelope('MaintenanceCancelled', 2, {}))).toThrow(/never scheduled/);
  });
});
