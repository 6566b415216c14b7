import type { EventEnvelope } from '@vinsight/contracts';
import { BatchEvent, foldEvents } from '../../engine/fold';
import { envelope, FIXED_TIME, id } from '../../testing/envelopes';
import { evolveMonitor, monitorKeyOf, MonitorState, monitorVersionOf } from './monitors.evolve';

const at = (minute: number) => new Date(Date.parse(FIXED_TIME) + minute * 60_000).toISOString();
const batch = (events: EventEnvelope[], keyOf: (e: EventEnvelope) => string): BatchEvent[] =>
  events.map((e, index) => ({ index, envelope: e, key: keyOf(e) }));

describe('monitors read model and its incidents', () => {
  const monitorId = id('monitor');
  const created = envelope('MonitorCreated', { monitorId, name: 'Home', url: 'https://example.com', checkInterval: 60 });
  let version = 1;
  const next = (
    type:
      | 'MonitorStatusChanged'
      | 'MonitorPaused'
      | 'MonitorDeleted'
      | 'MonitorUpdated'
      | 'MonitorMaintenanceStarted'
      | 'MonitorMaintenanceEnded',
    payload: object,
    minute: number,
  ) => envelope(type, { monitorId, ...payload }, { version: ++version, occurredAt: at(minute), eventId: id(`event-${version}`) });
  const fold = (events: EventEnvelope[], current = new Map<string, MonitorState>()) =>
    foldEvents(batch(events, monitorKeyOf), current, monitorVersionOf, evolveMonitor);

  beforeEach(() => {
    version = 1;
  });

  it('opens an incident when the monitor goes down and resolves it when it is up again', () => {
    const down = next(
      'MonitorStatusChanged',
      { from: 'up', to: 'down', checkId: id('c1'), checkedAt: at(10), errorMessage: 'timeout' },
      10,
    );
    const up = next('MonitorStatusChanged', { from: 'down', to: 'up', checkId: id('c2'), checkedAt: at(25) }, 25);
    const state = fold([created, down, up]).changed.get(`${id('tenant')}|${monitorId}`)!;
    expect(state.monitor).toMatchObject({ status: 'up', statusChangedAt: at(25), version: 3 });
    expect([...state.incidents.values()]).toEqual([
      { tenantId: id('tenant'), id: down.eventId, monitorId, startedAt: at(10), resolvedAt: at(25), firstError: 'timeout' },
    ]);
    expect(state.openIncident).toBeNull();
  });

  it('resolves an incident opened in an earlier batch', () => {
    const down = next('MonitorStatusChanged', { from: 'up', to: 'down', checkId: id('c1'), checkedAt: at(10) }, 10);
    const first = fold([created, down]);
    const up = next('MonitorStatusChanged', { from: 'down', to: 'up', checkId: id('c2'), checkedAt: at(12) }, 12);
    const reloaded = new Map([...first.changed].map(([k, s]) => [k, { ...s, incidents: new Map() }]));
    const state = fold([up], reloaded).changed.get(`${id('tenant')}|${monitorId}`)!;
    expect([...state.incidents.values()]).toEqual([expect.objectContaining({ id: down.eventId, resolvedAt: at(12) })]);
  });

  it('clamps a resolution that would precede the start', () => {
    const down = next('MonitorStatusChanged', { from: 'up', to: 'down', checkId: id('c1'), checkedAt: at(10) }, 10);
    const up = next('MonitorStatusChanged', { from: 'down', to: 'up', checkId: id('c2'), checkedAt: at(5) }, 11);
    const [incident] = fold([created, down, up])
      .changed.get(`${id('tenant')}|${monitorId}`)!
      .incidents.values();
    expect(incident.resolvedAt).toBe(at(10));
  });

  it('ends the open incident of a deleted monitor', () => {
    const down = next('MonitorStatusChanged', { from: 'unknown', to: 'down', checkId: id('c1'), checkedAt: at(10) }, 10);
    const deleted = next('MonitorDeleted', {}, 30);
    const state = fold([created, down, deleted]).changed.get(`${id('tenant')}|${monitorId}`)!;
    expect(state.monitor?.deletedAt).toBe(at(30));
    expect([...state.incidents.values()][0].resolvedAt).toBe(at(30));
  });

  it('updates only the fields an update carries', () => {
    const updated = next('MonitorUpdated', { name: 'Home page' }, 3);
    const paused = next('MonitorPaused', {}, 4);
    const state = fold([created, updated, paused]).changed.get(`${id('tenant')}|${monitorId}`)!;
    expect(state.monitor).toMatchObject({ name: 'Home page', url: 'https://example.com', checkInterval: 60, isActive: false, version: 3 });
  });

  it('rejects a status change of a monitor that was never created', () => {
    const down = next('MonitorStatusChanged', { from: 'up', to: 'down', checkId: id('c1'), checkedAt: at(10) }, 10);
    expect(fold([down]).rejected[0].rejection.code).toBe('UNKNOWN_AGGREGATE');
  });

  it('follows the monitor into and out of maintenance under its version, with no incident', () => {
    const maintenanceWindowId = id('window');
    const started = next('MonitorMaintenanceStarted', { maintenanceWindowId, checkId: id('c1'), checkedAt: at(10) }, 10);
    const ended = next('MonitorMaintenanceEnded', { maintenanceWindowId, checkId: id('c2'), checkedAt: at(70) }, 70);
    const state = fold([created, started, ended]).changed.get(`${id('tenant')}|${monitorId}`)!;
    expect(state.monitor).toMatchObject({ status: 'unknown', version: 3, updatedAt: at(70) });
    expect(state.incidents.size).toBe(0);
    const malformed = next('MonitorMaintenanceStarted', { checkId: id('c3'), checkedAt: at(80) }, 80);
    expect(fold([created, malformed]).rejected[0].rejection.code).toBe('INVALID_PAYLOAD');
  });
});
