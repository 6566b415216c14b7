import type { DomainEvent } from '../domain-event';
import { spec } from '../testing/decider-specification';
import { commands, events } from '../testing/domain-factories';
import { FIXED_NOW, secondsFromNow } from '../testing/fixed-clock';
import { newId } from '../testing/test-ids';
import { evolveTenantWriteState, initialTenantWriteState } from '../tenant-write-state/tenant-write-state';
import { MAINTENANCE_LIMITS } from './maintenance.decider';

describe('maintenance decider', () => {
  const tenantId = newId();
  const meta = { tenantId };
  const created = events.tenantCreated({ tenantId, plan: 'free' });
  const HOUR = 3600;
  const DAY = 86_400;

  describe('ScheduleMaintenance', () => {
    it('schedules a window for one monitor at version 1', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      const maintenanceWindowId = newId();
      const startsAt = secondsFromNow(HOUR);
      const endsAt = secondsFromNow(3 * HOUR);
      const decision = spec([created, monitor])
        .when(commands.scheduleMaintenance({ maintenanceWindowId, monitorId, title: 'DB upgrade', startsAt, endsAt }, meta))
        .then([{ type: 'MaintenanceScheduled', data: { maintenanceWindowId, monitorId, title: 'DB upgrade', startsAt, endsAt } }]);
      expect(decision).toMatchObject({ aggregateType: 'maintenance-window', aggregateId: maintenanceWindowId, version: 1 });
    });

    it('schedules a weekly recurrence for every monitor, without end, its days in week order', () => {
      const maintenanceWindowId = newId();
      const startsAt = secondsFromNow(0);
      const recurrence = { daysOfWeek: ['sun', 'mon', 'sat'] as const, startTime: '02:00', durationMinutes: 90, timezone: 'Europe/Berlin' };
      spec([created])
        .when(
          commands.scheduleMaintenance(
            { maintenanceWindowId, startsAt, endsAt: undefined, recurrence: { ...recurrence, daysOfWeek: [...recurrence.daysOfWeek] } },
            meta,
          ),
        )
        .then([
          {
            type: 'MaintenanceScheduled',
            data: { maintenanceWindowId, startsAt, recurrence: { ...recurrence, daysOfWeek: ['mon', 'sat', 'sun'] } },
          },
        ]);
    });

    it.each([
      ['endsAt before startsAt', { startsAt: secondsFromNow(HOUR), endsAt: secondsFromNow(HOUR) }, 'payload.endsAt'],
      ['endsAt in the past', { startsAt: secondsFromNow(-2 * HOUR), endsAt: secondsFromNow(-1) }, 'payload.endsAt'],
      ['no endsAt and no recurrence', { endsAt: undefined }, 'payload.endsAt'],
      ['a one-off window longer than 7 days', { startsAt: FIXED_NOW, endsAt: secondsFromNow(7 * DAY + 1) }, 'payload.endsAt'],
      [
        'a start more than 366 days ahead',
        { startsAt: secondsFromNow(366 * DAY + 1), endsAt: secondsFromNow(367 * DAY) },
        'payload.startsAt',
      ],
      ['a NUL in the title', { title: 'x\u0000' }, 'payload.title'],
    ])('refuses %s with VALIDATION_FAILED', (_case, data, field) => {
      spec([created]).when(commands.scheduleMaintenance(data, meta)).thenFails('VALIDATION_FAILED', field);
    });

    it('accepts the limits themselves: exactly 7 days, a start exactly 366 days ahead', () => {
      spec([created])
        .when(commands.scheduleMaintenance({ startsAt: FIXED_NOW, endsAt: secondsFromNow(7 * DAY) }, meta))
        .then([expect.objectContaining({ type: 'MaintenanceScheduled' })]);
      spec([created])
        .when(commands.scheduleMaintenance({ startsAt: secondsFromNow(366 * DAY), endsAt: secondsFromNow(367 * DAY) }, meta))
        .then([expect.objectContaining({ type: 'MaintenanceScheduled' })]);
    });

    it.each([
      ['no day', { daysOfWeek: [] }, 'payload.recurrence.daysOfWeek'],
      ['a start time of 24:00', { startTime: '24:00' }, 'payload.recurrence.startTime'],
      ['a zero duration', { durationMinutes: 0 }, 'payload.recurrence.durationMinutes'],
      ['a duration over a week', { durationMinutes: MAINTENANCE_LIMITS.maxOccurrenceMinutes + 1 }, 'payload.recurrence.durationMinutes'],
      ['an offset for a time zone', { timezone: '+02:00' }, 'payload.recurrence.timezone'],
      ['an unknown time zone', { timezone: 'Europe/Atlantis' }, 'payload.recurrence.timezone'],
    ])('refuses a recurrence with %s', (_case, override, field) => {
      const recurrence = { daysOfWeek: ['mon' as const], startTime: '02:00', durationMinutes: 60, timezone: 'UTC', ...override };
      spec([created])
        .when(commands.scheduleMaintenance({ endsAt: undefined, recurrence }, meta))
        .thenFails('VALIDATION_FAILED', field);
    });

    it('lets a recurrence run longer than 7 days in all', () => {
      const recurrence = { daysOfWeek: ['mon' as const], startTime: '02:00', durationMinutes: 60, timezone: 'UTC' };
      spec([created])
        .when(commands.scheduleMaintenance({ startsAt: FIXED_NOW, endsAt: secondsFromNow(90 * DAY), recurrence }, meta))
        .then([expect.objectContaining({ type: 'MaintenanceScheduled' })]);
    });

    it('refuses an unknown or deleted monitor with NOT_FOUND', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created])
        .when(commands.scheduleMaintenance({ monitorId: newId() }, meta))
        .thenFails('NOT_FOUND', 'payload.monitorId');
      spec([created, monitor, events.monitorDeleted({ monitorId })])
        .when(commands.scheduleMaintenance({ monitorId }, meta))
        .thenFails('NOT_FOUND', 'payload.monitorId');
      spec([created, monitor, events.monitorPaused({ monitorId })])
        .when(commands.scheduleMaintenance({ monitorId }, meta))
        .then([expect.objectContaining({ type: 'MaintenanceScheduled' })]);
    });

    it('refuses an id already taken, even by a cancelled window, with ALREADY_EXISTS', () => {
      const window = events.maintenanceScheduled();
      const { maintenanceWindowId } = window.data;
      spec([created, window])
        .when(commands.scheduleMaintenance({ maintenanceWindowId }, meta))
        .thenFails('ALREADY_EXISTS', 'payload.maintenanceWindowId');
      spec([created, window, events.maintenanceCancelled({ maintenanceWindowId })])
        .when(commands.scheduleMaintenance({ maintenanceWindowId }, meta))
        .thenFails('ALREADY_EXISTS');
    });

    it(`allows at most ${MAINTENANCE_LIMITS.maxPendingWindows} windows that have not ended, on every plan`, () => {
      const pending = Array.from({ length: MAINTENANCE_LIMITS.maxPendingWindows }, () => events.maintenanceScheduled());
      const enterprise = [created, events.tenantPlanChanged({ plan: 'enterprise', previousPlan: 'free' })];
      spec([...enterprise, ...pending])
        .when(commands.scheduleMaintenance({}, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED');
      spec([...enterprise, ...pending.slice(1)])
        .when(commands.scheduleMaintenance({}, meta))
        .then([expect.objectContaining({ type: 'MaintenanceScheduled' })]);
    });

    it('does not count cancelled windows nor ended ones against the limit', () => {
      const pending = Array.from({ length: MAINTENANCE_LIMITS.maxPendingWindows - 1 }, () => events.maintenanceScheduled());
      const cancelled = events.maintenanceScheduled();
      const ended = events.maintenanceScheduled({ startsAt: secondsFromNow(-2 * HOUR), endsAt: secondsFromNow(-HOUR) });
      const history: DomainEvent[] = [
        created,
        ...pending,
        cancelled,
        events.maintenanceCancelled({ maintenanceWindowId: cancelled.data.maintenanceWindowId }),
        ended,
      ];
      spec(history)
        .when(commands.scheduleMaintenance({}, meta))
        .then([expect.objectContaining({ type: 'MaintenanceScheduled' })]);
    });

    it('rejects with NOT_FOUND without a tenant, TENANT_INACTIVE for an inactive one, CONFLICT on a stale version', () => {
      spec([]).when(commands.scheduleMaintenance({}, meta)).thenFails('NOT_FOUND', 'tenantId');
      spec([created, events.tenantDeactivated()]).when(commands.scheduleMaintenance({}, meta)).thenFails('TENANT_INACTIVE');
      const window = events.maintenanceScheduled();
      spec([created, window])
        .when(commands.scheduleMaintenance({ maintenanceWindowId: window.data.maintenanceWindowId }, { ...meta, expectedVersion: 0 }))
        .thenFails('CONFLICT');
    });
  });

  describe('CancelMaintenance', () => {
    it('cancels a pending window, current or upcoming', () => {
      const current = events.maintenanceScheduled();
      const upcoming = events.maintenanceScheduled({ startsAt: secondsFromNow(DAY), endsAt: secondsFromNow(2 * DAY) });
      for (const window of [current, upcoming]) {
        const { maintenanceWindowId } = window.data;
        const decision = spec([created, window])
          .when(commands.cancelMaintenance({ maintenanceWindowId }, meta))
          .then([{ type: 'MaintenanceCancelled', data: { maintenanceWindowId } }]);
        expect(decision).toMatchObject({ aggregateType: 'maintenance-window', version: 2 });
      }
    });

    it('refuses an unknown window with NOT_FOUND, a cancelled or ended one with INVALID_STATE', () => {
      spec([created]).when(commands.cancelMaintenance({}, meta)).thenFails('NOT_FOUND', 'payload.maintenanceWindowId');
      const window = events.maintenanceScheduled();
      const { maintenanceWindowId } = window.data;
      spec([created, window, events.maintenanceCancelled({ maintenanceWindowId })])
        .when(commands.cancelMaintenance({ maintenanceWindowId }, meta))
        .thenFails('INVALID_STATE');
      const ended = events.maintenanceScheduled({ startsAt: secondsFromNow(-2 * HOUR), endsAt: FIXED_NOW });
      spec([created, ended])
        .when(commands.cancelMaintenance({ maintenanceWindowId: ended.data.maintenanceWindowId }, meta))
        .thenFails('INVALID_STATE');
    });
  });

  describe('RecordCheckResult inside and outside windows', () => {
    const monitor = events.monitorCreated();
    const { monitorId } = monitor.data;
    const upBefore = events.monitorStatusChanged({ monitorId, from: 'unknown', to: 'up', checkedAt: secondsFromNow(-2 * HOUR) });
    const window = events.maintenanceScheduled({ monitorId, startsAt: secondsFromNow(-HOUR), endsAt: secondsFromNow(HOUR) });
    const history = [created, monitor, upBefore, window];

    it('records a down check inside the window with inMaintenance, changing no status', () => {
      const checkId = newId();
      spec(history)
        .when(commands.recordCheckResult({ monitorId, checkId, status: 'down', statusCode: 503 }, meta))
        .then([
          events.checkRecorded({ monitorId, checkId, status: 'down', statusCode: 503, inMaintenance: true }),
          events.monitorMaintenanceStarted({ monitorId, maintenanceWindowId: window.data.maintenanceWindowId, checkId }),
        ]);
    });

    it('leaves a monitor never checked unknown while in maintenance', () => {
      spec([created, monitor, window])
        .when(commands.recordCheckResult({ monitorId, status: 'up' }, meta))
        .then([
          expect.objectContaining({ type: 'CheckRecorded', data: expect.objectContaining({ inMaintenance: true }) }),
          expect.objectContaining({ type: 'MonitorMaintenanceStarted' }),
        ]);
    });

    it('counts the start instant in and the end instant out', () => {
      const atStart = commands.recordCheckResult({ monitorId, status: 'down', checkedAt: secondsFromNow(-HOUR) }, meta);
      spec(history)
        .when(atStart)
        .then([
          expect.objectContaining({ data: expect.objectContaining({ inMaintenance: true }) }),
          expect.objectContaining({ type: 'MonitorMaintenanceStarted' }),
        ]);
      const justBefore = commands.recordCheckResult(
        { monitorId, status: 'down', checkedAt: new Date(secondsFromNow(-HOUR).getTime() - 1) },
        meta,
      );
      const before = spec(history)
        .when(justBefore)
        .then([
          expect.objectContaining({ type: 'CheckRecorded' }),
          expect.objectContaining({ type: 'MonitorStatusChanged', data: expect.objectContaining({ from: 'up', to: 'down' }) }),
        ]);
      expect(before.events[0].data).not.toHaveProperty('inMaintenance');
      const atEnd = secondsFromNow(HOUR);
      spec(history)
        .when(commands.recordCheckResult({ monitorId, status: 'down', checkedAt: atEnd }, { ...meta, now: atEnd }))
        .then([
          expect.objectContaining({ type: 'CheckRecorded', data: expect.not.objectContaining({ inMaintenance: true }) }),
          expect.objectContaining({ type: 'MonitorStatusChanged', data: expect.objectContaining({ from: 'up', to: 'down' }) }),
        ]);
    });

    it('compares the first check after the window with the status from before it', () => {
      const inside = events.checkRecorded({ monitorId, status: 'down', checkedAt: secondsFromNow(-60), inMaintenance: true });
      const after = secondsFromNow(HOUR + 60);
      spec([...history, inside])
        .when(commands.recordCheckResult({ monitorId, status: 'up', checkedAt: after }, { ...meta, now: after }))
        .then([expect.objectContaining({ type: 'CheckRecorded' })]);
      spec([...history, inside])
        .when(commands.recordCheckResult({ monitorId, status: 'error', checkedAt: after }, { ...meta, now: after }))
        .then([
          expect.objectContaining({ type: 'CheckRecorded' }),
          expect.objectContaining({ type: 'MonitorStatusChanged', data: expect.objectContaining({ from: 'up', to: 'down' }) }),
        ]);
    });

    it("holds every monitor for a tenant-wide window, and no monitor for another monitor's window", () => {
      const other = events.monitorCreated();
      const tenantWide = events.maintenanceScheduled();
      spec([created, other, tenantWide])
        .when(commands.recordCheckResult({ monitorId: other.data.monitorId, status: 'down' }, meta))
        .then([
          expect.objectContaining({ data: expect.objectContaining({ inMaintenance: true }) }),
          events.monitorMaintenanceStarted({
            monitorId: other.data.monitorId,
            maintenanceWindowId: tenantWide.data.maintenanceWindowId,
            checkId: expect.any(String) as string,
          }),
        ]);
      spec([created, monitor, other, window])
        .when(commands.recordCheckResult({ monitorId: other.data.monitorId, status: 'down' }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded' }), expect.objectContaining({ type: 'MonitorStatusChanged' })]);
    });

    it('stops holding the monitor once the window is cancelled', () => {
      spec([...history, events.maintenanceCancelled({ maintenanceWindowId: window.data.maintenanceWindowId })])
        .when(commands.recordCheckResult({ monitorId, status: 'down' }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded' }), expect.objectContaining({ type: 'MonitorStatusChanged' })]);
    });

    it('follows a recurrence across a daylight saving change (Europe/Paris, 30 March 2025)', () => {
      const recurring = events.maintenanceScheduled({
        monitorId,
        startsAt: secondsFromNow(0),
        endsAt: undefined,
        recurrence: { daysOfWeek: ['sat', 'sun', 'mon'], startTime: '02:30', durationMinutes: 60, timezone: 'Europe/Paris' },
      });
      const check = (iso: string) => {
        const checkedAt = new Date(iso);
        return spec([created, monitor, upBefore, recurring]).when(
          commands.recordCheckResult({ monitorId, status: 'down', checkedAt }, { ...meta, now: checkedAt }),
        ).decision;
      };
      const inMaintenance = (iso: string) => {
        const decision = check(iso);
        if (!decision.ok) throw new Error(decision.error.message);
        const [recorded, ...rest] = decision.events;
        return (
          recorded.type === 'CheckRecorded' &&
          recorded.data.inMaintenance === true &&
          rest.every((e) => e.type === 'MonitorMaintenanceStarted')
        );
      };
      // Saturday, CET: 02:30 local is 01:30Z. Sunday, the change: 03:30 CEST, also 01:30Z. Monday, CEST: 00:30Z.
      expect(['2025-03-29T01:45:00Z', '2025-03-30T01:45:00Z', '2025-03-31T00:45:00Z'].map(inMaintenance)).toEqual([true, true, true]);
      expect(['2025-03-29T02:45:00Z', '2025-03-30T00:45:00Z', '2025-03-31T01:45:00Z'].map(inMaintenance)).toEqual([false, false, false]);
    });
  });

  describe('the monitor entering and leaving maintenance (MonitorMaintenanceStarted / Ended)', () => {
    const monitor = events.monitorCreated();
    const { monitorId } = monitor.data;
    const window = events.maintenanceScheduled({ monitorId, startsAt: secondsFromNow(-HOUR), endsAt: secondsFromNow(HOUR) });
    const maintenanceWindowId = window.data.maintenanceWindowId;
    const up = events.monitorStatusChanged({ monitorId, from: 'unknown', to: 'up', checkedAt: secondsFromNow(-2 * HOUR) });
    const started = events.monitorMaintenanceStarted({ monitorId, maintenanceWindowId, checkedAt: secondsFromNow(-HOUR) });
    const inMaintenance = [created, monitor, up, window, started];

    it('starts with the first check inside the window', () => {
      const checkId = newId();
      spec([created, monitor, up, window])
        .when(commands.recordCheckResult({ monitorId, checkId, status: 'up' }, meta))
        .then([
          expect.objectContaining({ type: 'CheckRecorded' }),
          events.monitorMaintenanceStarted({ monitorId, maintenanceWindowId, checkId, checkedAt: FIXED_NOW }),
        ]);
    });

    it('records the next checks inside it without another start', () => {
      spec(inMaintenance)
        .when(commands.recordCheckResult({ monitorId, status: 'down' }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded', data: expect.objectContaining({ inMaintenance: true }) })]);
    });

    it('ends with the first check after the window, before the status change that check makes', () => {
      const after = secondsFromNow(HOUR + 60);
      const checkId = newId();
      spec(inMaintenance)
        .when(commands.recordCheckResult({ monitorId, checkId, status: 'down', checkedAt: after }, { ...meta, now: after }))
        .then([
          expect.objectContaining({ type: 'CheckRecorded' }),
          events.monitorMaintenanceEnded({ monitorId, maintenanceWindowId, checkId, checkedAt: after }),
          expect.objectContaining({ type: 'MonitorStatusChanged', data: expect.objectContaining({ from: 'up', to: 'down' }) }),
        ]);
    });

    it('ends with the first check after a cancel', () => {
      spec([...inMaintenance, events.maintenanceCancelled({ maintenanceWindowId })])
        .when(commands.recordCheckResult({ monitorId, status: 'up' }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded' }), expect.objectContaining({ type: 'MonitorMaintenanceEnded' })]);
    });

    it('moves from an ended window to another that holds the check: an end, then a start', () => {
      const next = events.maintenanceScheduled({ monitorId, startsAt: secondsFromNow(HOUR), endsAt: secondsFromNow(3 * HOUR) });
      const at = secondsFromNow(2 * HOUR);
      spec([...inMaintenance, next])
        .when(commands.recordCheckResult({ monitorId, status: 'down', checkedAt: at }, { ...meta, now: at }))
        .then([
          expect.objectContaining({ type: 'CheckRecorded', data: expect.objectContaining({ inMaintenance: true }) }),
          expect.objectContaining({ type: 'MonitorMaintenanceEnded', data: expect.objectContaining({ maintenanceWindowId }) }),
          expect.objectContaining({
            type: 'MonitorMaintenanceStarted',
            data: expect.objectContaining({ maintenanceWindowId: next.data.maintenanceWindowId }),
          }),
        ]);
    });

    it('stays in the window it is in while an overlapping one also holds the check', () => {
      const overlapping = events.maintenanceScheduled({ startsAt: secondsFromNow(-2 * HOUR), endsAt: secondsFromNow(2 * HOUR) });
      spec([...inMaintenance, overlapping])
        .when(commands.recordCheckResult({ monitorId, status: 'down' }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded' })]);
    });

    it('is decided on the newest check only: a late check neither starts nor ends it', () => {
      const newest = events.checkRecorded({ monitorId, checkedAt: secondsFromNow(-HOUR - 60) });
      spec([created, monitor, up, window, newest])
        .when(commands.recordCheckResult({ monitorId, status: 'down', checkedAt: secondsFromNow(-HOUR - 120) }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded' })]);
      spec(inMaintenance)
        .when(commands.recordCheckResult({ monitorId, status: 'down', checkedAt: secondsFromNow(-HOUR - 60) }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded', data: expect.not.objectContaining({ inMaintenance: true }) })]);
    });

    it('keeps the window in the monitor state and bumps its version', () => {
      const state = inMaintenance.reduce(evolveTenantWriteState, initialTenantWriteState());
      expect(state.monitors.get(monitorId)).toMatchObject({ maintenanceWindowId, version: 3 });
      const after = evolveTenantWriteState(state, events.monitorMaintenanceEnded({ monitorId, maintenanceWindowId }));
      expect(after.monitors.get(monitorId)).toMatchObject({ maintenanceWindowId: null, version: 4 });
    });
  });
});
