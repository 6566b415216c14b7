import { parseStreamTypes, streamEventsOf } from './stream-events';

const tenantId = '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11';
const monitorId = '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10';
const eventId = '11111111-2222-4333-8444-555555555555';
const checkId = '99999999-2222-4333-8444-555555555555';
const checkedAt = '2026-12-03T10:00:00.000Z';

const statusChanged = (from: string, to: string, errorMessage?: string) => ({
  eventId,
  type: 'MonitorStatusChanged',
  tenantId,
  aggregateId: monitorId,
  payload: { monitorId, from, to, checkId, checkedAt, ...(errorMessage && { errorMessage }) },
});

describe('stream events of a record', () => {
  it('a monitor turning down: its status change, and an incident opened with the event id', () => {
    expect(streamEventsOf(statusChanged('up', 'down', 'timeout'))).toEqual([
      {
        type: 'monitor.status_changed',
        tenantId,
        monitorId,
        data: { monitorId, from: 'up', to: 'down', checkId, changedAt: checkedAt, errorMessage: 'timeout' },
      },
      {
        type: 'incident.opened',
        tenantId,
        monitorId,
        data: { incidentId: eventId, monitorId, startedAt: checkedAt, firstError: 'timeout' },
      },
    ]);
  });

  it('up again from down: the status change, then the incident resolved', () => {
    expect(streamEventsOf(statusChanged('down', 'up')).map((e) => e.type)).toEqual(['monitor.status_changed', 'incident.resolved']);
    expect(streamEventsOf(statusChanged('down', 'up'))[1].data).toEqual({ monitorId, resolvedAt: checkedAt });
  });

  it('up for the first time: only the status change', () => {
    expect(streamEventsOf(statusChanged('unknown', 'up')).map((e) => e.type)).toEqual(['monitor.status_changed']);
  });

  it('a check: check.recorded with what the check said, nothing it did not', () => {
    const record = { type: 'CheckRecorded', tenantId, payload: { monitorId, checkId, status: 'up', responseTimeMs: 12, checkedAt } };
    expect(streamEventsOf(record)).toEqual([
      { type: 'check.recorded', tenantId, monitorId, data: { monitorId, checkId, status: 'up', responseTimeMs: 12, checkedAt } },
    ]);
  });

  it('a down monitor deleted: its incident resolved at the deletion; any other deleted monitor: nothing', () => {
    const deleted = (lastStatus?: string) => ({
      eventId,
      type: 'MonitorDeleted',
      tenantId,
      occurredAt: checkedAt,
      payload: { monitorId, ...(lastStatus && { lastStatus }) },
    });
    expect(streamEventsOf(deleted('down'))).toEqual([
      { type: 'incident.resolved', tenantId, monitorId, data: { monitorId, resolvedAt: checkedAt } },
    ]);
    expect(streamEventsOf(deleted('up'))).toEqual([]);
    expect(streamEventsOf(deleted())).toEqual([]);
  });

  it('a monitor entering and leaving maintenance: maintenance.started, maintenance.ended', () => {
    const maintenanceWindowId = '22222222-2222-4333-8444-555555555555';
    const record = (type: string) => ({ eventId, type, tenantId, payload: { monitorId, maintenanceWindowId, checkId, checkedAt } });
    expect(streamEventsOf(record('MonitorMaintenanceStarted'))).toEqual([
      { type: 'maintenance.started', tenantId, monitorId, data: { monitorId, maintenanceWindowId, checkId, startedAt: checkedAt } },
    ]);
    expect(streamEventsOf(record('MonitorMaintenanceEnded'))).toEqual([
      { type: 'maintenance.ended', tenantId, monitorId, data: { monitorId, maintenanceWindowId, checkId, endedAt: checkedAt } },
    ]);
  });

  it.each([null, 'text', {}, { type: 'MonitorCreated', tenantId, payload: { monitorId } }, { type: 'CheckRecorded', tenantId }])(
    'nothing from %p',
    (record) => expect(streamEventsOf(record)).toEqual([]),
  );
});

describe('?types=', () => {
  it('defaults to everything but check.recorded', () => {
    expect([...parseStreamTypes(undefined)!].sort()).toEqual([
      'incident.opened',
      'incident.resolved',
      'maintenance.ended',
      'maintenance.started',
      'monitor.status_changed',
    ]);
  });

  it('takes a comma-separated list or repeated parameters', () => {
    expect([...parseStreamTypes('check.recorded, incident.opened')!]).toEqual(['check.recorded', 'incident.opened']);
    expect([...parseStreamTypes(['check.recorded', 'monitor.status_changed'])!]).toEqual(['check.recorded', 'monitor.status_changed']);
  });

  it.each(['', 'monitor.created', 'check.recorded,,'])('refuses %p', (raw) => expect(parseStreamTypes(raw)).toBeNull());
});
