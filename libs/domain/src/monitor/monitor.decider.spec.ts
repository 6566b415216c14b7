import type { DomainEvent } from '../domain-event';
import { spec } from '../testing/decider-specification';
import { commands, events } from '../testing/domain-factories';
import { FIXED_NOW, secondsFromNow } from '../testing/fixed-clock';
import { newId } from '../testing/test-ids';
import { CHECK_ID_WINDOW } from './monitor.state';

describe('monitor decider', () => {
  const tenantId = newId();
  const meta = { tenantId };
  const created = events.tenantCreated({ tenantId, plan: 'free' });
  const onPlan = (plan: 'pro' | 'enterprise'): DomainEvent[] => [created, events.tenantPlanChanged({ plan, previousPlan: 'free' })];
  const monitors = (count: number, checkInterval = 300) => Array.from({ length: count }, () => events.monitorCreated({ checkInterval }));

  describe('CreateMonitor', () => {
    it('creates a monitor at version 1', () => {
      const monitorId = newId();
      const decision = spec([created])
        .when(commands.createMonitor({ monitorId, name: 'API', url: 'https://api.example.com/health', checkInterval: 60 }, meta))
        .then([
          {
            type: 'MonitorCreated',
            data: { monitorId, name: 'API', url: 'https://api.example.com/health', checkInterval: 60 },
          },
        ]);
      expect(decision).toMatchObject({ aggregateType: 'monitor', aggregateId: monitorId, version: 1 });
    });

    it('rejects an id already taken, even by a deleted monitor, with ALREADY_EXISTS', () => {
      const existing = events.monitorCreated();
      const { monitorId } = existing.data;
      spec([created, existing]).when(commands.createMonitor({ monitorId }, meta)).thenFails('ALREADY_EXISTS', 'payload.monitorId');
      spec([created, existing, events.monitorDeleted({ monitorId })])
        .when(commands.createMonitor({ monitorId }, meta))
        .thenFails('ALREADY_EXISTS');
    });

    it('enforces the free plan: at most 10 monitors, paused ones included', () => {
      const ten = monitors(10);
      spec([created, ...monitors(9)])
        .when(commands.createMonitor({}, meta))
        .then([expect.objectContaining({ type: 'MonitorCreated' })]);
      spec([created, ...ten])
        .when(commands.createMonitor({}, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED');
      spec([created, ...ten, events.monitorPaused({ monitorId: ten[0].data.monitorId })])
        .when(commands.createMonitor({}, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED');
    });

    it('does not count deleted monitors', () => {
      const ten = monitors(10);
      spec([created, ...ten, events.monitorDeleted({ monitorId: ten[3].data.monitorId })])
        .when(commands.createMonitor({}, meta))
        .then([expect.objectContaining({ type: 'MonitorCreated' })]);
    });

    it('enforces the pro plan limit of 1000 and leaves enterprise unlimited', () => {
      spec([...onPlan('pro'), ...monitors(1000)])
        .when(commands.createMonitor({}, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED');
      spec([...onPlan('enterprise'), ...monitors(1001)])
        .when(commands.createMonitor({}, meta))
        .then([expect.objectContaining({ type: 'MonitorCreated' })]);
    });

    it.each([
      ['free', 59, 60],
      ['pro', 29, 30],
      ['enterprise', 9, 10],
    ] as const)('enforces the %s plan minimum interval', (plan, tooShort, minimum) => {
      const history = plan === 'free' ? [created] : onPlan(plan);
      spec(history)
        .when(commands.createMonitor({ checkInterval: tooShort }, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED', 'payload.checkInterval');
      spec(history)
        .when(commands.createMonitor({ checkInterval: minimum }, meta))
        .then([expect.objectContaining({ type: 'MonitorCreated' })]);
    });

    it('rejects with NOT_FOUND without a tenant, TENANT_INACTIVE for an inactive one, CONFLICT on a stale version', () => {
      spec([]).when(commands.createMonitor({}, meta)).thenFails('NOT_FOUND', 'tenantId');
      spec([created, events.tenantDeactivated()]).when(commands.createMonitor({}, meta)).thenFails('TENANT_INACTIVE');
      spec([created, events.tenantDeleted()]).when(commands.createMonitor({}, meta)).thenFails('TENANT_INACTIVE');
      const existing = events.monitorCreated();
      spec([created, existing])
        .when(commands.createMonitor({ monitorId: existing.data.monitorId }, { ...meta, expectedVersion: 0 }))
        .thenFails('CONFLICT');
    });
  });

  describe('UpdateMonitor', () => {
    it('updates only the fields it is given', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      const decision = spec([created, monitor])
        .when(commands.updateMonitor({ monitorId, url: 'http://example.org/' }, meta))
        .then([{ type: 'MonitorUpdated', data: { monitorId, url: 'http://example.org/' } }]);
      expect(decision.version).toBe(2);
      spec([created, monitor])
        .when(commands.updateMonitor({ monitorId, name: 'New', checkInterval: 120 }, { ...meta, expectedVersion: 1 }))
        .then([{ type: 'MonitorUpdated', data: { monitorId, name: 'New', checkInterval: 120 } }]);
    });

    it('updates a paused monitor', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor, events.monitorPaused({ monitorId })])
        .when(commands.updateMonitor({ monitorId, name: 'Renamed' }, meta))
        .then([events.monitorUpdated({ monitorId, name: 'Renamed' })]);
    });

    it('rejects an interval below the plan minimum with PLAN_LIMIT_EXCEEDED', () => {
      const monitor = events.monitorCreated();
      spec([created, monitor])
        .when(commands.updateMonitor({ monitorId: monitor.data.monitorId, checkInterval: 30 }, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED', 'payload.checkInterval');
    });

    it('rejects unknown and deleted monitors with NOT_FOUND', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created])
        .when(commands.updateMonitor({ name: 'x' }, meta))
        .thenFails('NOT_FOUND', 'payload.monitorId');
      spec([created, monitor, events.monitorDeleted({ monitorId })])
        .when(commands.updateMonitor({ monitorId, name: 'x' }, meta))
        .thenFails('NOT_FOUND');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE and a stale version with CONFLICT', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor, events.tenantDeactivated()])
        .when(commands.updateMonitor({ monitorId, name: 'x' }, meta))
        .thenFails('TENANT_INACTIVE');
      spec([created, monitor])
        .when(commands.updateMonitor({ monitorId, name: 'x' }, { ...meta, expectedVersion: 5 }))
        .thenFails('CONFLICT');
    });
  });

  describe('PauseMonitor and ResumeMonitor', () => {
    it('pauses an active monitor and resumes a paused one', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor])
        .when(commands.pauseMonitor({ monitorId }, meta))
        .then([events.monitorPaused({ monitorId })]);
      const decision = spec([created, monitor, events.monitorPaused({ monitorId })])
        .when(commands.resumeMonitor({ monitorId }, meta))
        .then([events.monitorResumed({ monitorId })]);
      expect(decision.version).toBe(3);
    });

    it('resumes even at the plan limit, since paused monitors already count', () => {
      const ten = monitors(10);
      const { monitorId } = ten[0].data;
      spec([created, ...ten, events.monitorPaused({ monitorId })])
        .when(commands.resumeMonitor({ monitorId }, meta))
        .then([events.monitorResumed({ monitorId })]);
    });

    it('rejects pausing a paused monitor and resuming an active one with INVALID_STATE', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor, events.monitorPaused({ monitorId })])
        .when(commands.pauseMonitor({ monitorId }, meta))
        .thenFails('INVALID_STATE');
      spec([created, monitor]).when(commands.resumeMonitor({ monitorId }, meta)).thenFails('INVALID_STATE');
    });

    it('rejects unknown and deleted monitors with NOT_FOUND', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created]).when(commands.pauseMonitor({}, meta)).thenFails('NOT_FOUND');
      spec([created]).when(commands.resumeMonitor({}, meta)).thenFails('NOT_FOUND');
      spec([created, monitor, events.monitorDeleted({ monitorId })])
        .when(commands.pauseMonitor({ monitorId }, meta))
        .thenFails('NOT_FOUND');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE and a stale version with CONFLICT', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor, events.tenantDeactivated()]).when(commands.pauseMonitor({ monitorId }, meta)).thenFails('TENANT_INACTIVE');
      spec([created, monitor, events.monitorPaused({ monitorId }), events.tenantDeleted()])
        .when(commands.resumeMonitor({ monitorId }, meta))
        .thenFails('TENANT_INACTIVE');
      spec([created, monitor])
        .when(commands.pauseMonitor({ monitorId }, { ...meta, expectedVersion: 0 }))
        .thenFails('CONFLICT');
    });
  });

  describe('DeleteMonitor', () => {
    it('soft-deletes active and paused monitors', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor])
        .when(commands.deleteMonitor({ monitorId }, meta))
        .then([events.monitorDeleted({ monitorId, lastStatus: 'unknown' })]);
      spec([created, monitor, events.monitorPaused({ monitorId })])
        .when(commands.deleteMonitor({ monitorId }, meta))
        .then([events.monitorDeleted({ monitorId, lastStatus: 'unknown' })]);
    });

    it('carries the status the monitor had, so that a down one is known to end its incident', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor, events.monitorStatusChanged({ monitorId, from: 'unknown', to: 'down' })])
        .when(commands.deleteMonitor({ monitorId }, meta))
        .then([events.monitorDeleted({ monitorId, lastStatus: 'down' })]);
    });

    it('rejects unknown and already deleted monitors with NOT_FOUND', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created]).when(commands.deleteMonitor({}, meta)).thenFails('NOT_FOUND');
      spec([created, monitor, events.monitorDeleted({ monitorId })])
        .when(commands.deleteMonitor({ monitorId }, meta))
        .thenFails('NOT_FOUND');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE and a stale version with CONFLICT', () => {
      const monitor = events.monitorCreated();
      const { monitorId } = monitor.data;
      spec([created, monitor, events.tenantDeactivated()]).when(commands.deleteMonitor({ monitorId }, meta)).thenFails('TENANT_INACTIVE');
      spec([created, monitor])
        .when(commands.deleteMonitor({ monitorId }, { ...meta, expectedVersion: 2 }))
        .thenFails('CONFLICT');
    });
  });

  describe('RecordCheckResult', () => {
    const monitor = () => events.monitorCreated();

    it('records the first check and moves the status from unknown, bumping the version once', () => {
      const m = monitor();
      const { monitorId } = m.data;
      const checkId = newId();
      const decision = spec([created, m])
        .when(
          commands.recordCheckResult(
            { monitorId, checkId, status: 'up', responseTimeMs: 87, statusCode: 200, region: 'eu-west', checkedAt: FIXED_NOW },
            meta,
          ),
        )
        .then([
          {
            type: 'CheckRecorded',
            data: { monitorId, checkId, status: 'up', responseTimeMs: 87, statusCode: 200, region: 'eu-west', checkedAt: FIXED_NOW },
          },
          { type: 'MonitorStatusChanged', data: { monitorId, from: 'unknown', to: 'up', checkId, checkedAt: FIXED_NOW } },
        ]);
      expect(decision.events.map((event) => event.version)).toEqual([1, 2]);
      expect(decision).toMatchObject({ aggregateType: 'monitor', aggregateId: monitorId, version: 2 });
    });

    it('records a check with the same status without a status change or a version bump', () => {
      const m = monitor();
      const { monitorId } = m.data;
      const history = [created, m, events.monitorStatusChanged({ monitorId, from: 'unknown', to: 'up', checkedAt: secondsFromNow(-60) })];
      const checkId = newId();
      const decision = spec(history)
        .when(commands.recordCheckResult({ monitorId, checkId, status: 'up', responseTimeMs: undefined, statusCode: undefined }, meta))
        .then([{ type: 'CheckRecorded', data: { monitorId, checkId, status: 'up', checkedAt: FIXED_NOW, region: null } }]);
      expect(decision.version).toBe(2);
      expect(decision.events[0].version).toBe(2);
    });

    it('treats an error check as the monitor being down, carrying the error message', () => {
      const m = monitor();
      const { monitorId } = m.data;
      const up = [created, m, events.monitorStatusChanged({ monitorId, from: 'unknown', to: 'up', checkedAt: secondsFromNow(-60) })];
      const checkId = newId();
      spec(up)
        .when(
          commands.recordCheckResult({ monitorId, checkId, status: 'error', errorMessage: 'ECONNREFUSED', statusCode: undefined }, meta),
        )
        .then([
          events.checkRecorded({ monitorId, checkId, status: 'error', errorMessage: 'ECONNREFUSED', statusCode: undefined }),
          {
            type: 'MonitorStatusChanged',
            data: { monitorId, from: 'up', to: 'down', checkId, checkedAt: FIXED_NOW, errorMessage: 'ECONNREFUSED' },
          },
        ]);
      const down = [created, m, events.monitorStatusChanged({ monitorId, from: 'unknown', to: 'down', checkedAt: secondsFromNow(-60) })];
      spec(down)
        .when(commands.recordCheckResult({ monitorId, checkId, status: 'error' }, meta))
        .then([events.checkRecorded({ monitorId, checkId, status: 'error' })]);
    });

    it('does not move the status for a check older than the newest one seen', () => {
      const m = monitor();
      const { monitorId } = m.data;
      const history = [
        created,
        m,
        events.checkRecorded({ monitorId, status: 'up', checkedAt: FIXED_NOW }),
        events.monitorStatusChanged({ monitorId, from: 'unknown', to: 'up', checkedAt: FIXED_NOW }),
      ];
      const late = newId();
      spec(history)
        .when(commands.recordCheckResult({ monitorId, checkId: late, status: 'down', checkedAt: secondsFromNow(-30) }, meta))
        .then([events.checkRecorded({ monitorId, checkId: late, status: 'down', checkedAt: secondsFromNow(-30) })]);
    });

    it('accepts a check id seen before with no new events, even once the monitor is paused', () => {
      const m = monitor();
      const { monitorId } = m.data;
      const seen = events.checkRecorded({ monitorId });
      const { checkId } = seen.data;
      spec([created, m, seen]).when(commands.recordCheckResult({ monitorId, checkId }, meta)).thenNothingHappens();
      const decision = spec([created, m, seen, events.monitorPaused({ monitorId })])
        .when(commands.recordCheckResult({ monitorId, checkId }, meta))
        .thenNothingHappens();
      expect(decision).toMatchObject({ aggregateId: monitorId, version: 2 });
    });

    it(`remembers only the last ${CHECK_ID_WINDOW} check ids of a monitor`, () => {
      const m = monitor();
      const { monitorId } = m.data;
      const checks = Array.from({ length: CHECK_ID_WINDOW + 1 }, (_, i) =>
        events.checkRecorded({ monitorId, checkedAt: secondsFromNow(i - 1000) }),
      );
      const history = [created, m, ...checks];
      spec(history)
        .when(commands.recordCheckResult({ monitorId, checkId: checks[1].data.checkId }, meta))
        .thenNothingHappens();
      const forgotten = checks[0].data.checkId;
      spec(history)
        .when(commands.recordCheckResult({ monitorId, checkId: forgotten, checkedAt: secondsFromNow(-1000) }, meta))
        .then([events.checkRecorded({ monitorId, checkId: forgotten, checkedAt: secondsFromNow(-1000) })]);
    });

    it('accepts checkedAt up to 5 minutes ahead and rejects more with VALIDATION_FAILED', () => {
      const m = monitor();
      const { monitorId } = m.data;
      spec([created, m, events.monitorStatusChanged({ monitorId, to: 'up' })])
        .when(commands.recordCheckResult({ monitorId, checkedAt: secondsFromNow(300) }, meta))
        .then([expect.objectContaining({ type: 'CheckRecorded' })]);
      spec([created, m])
        .when(commands.recordCheckResult({ monitorId, checkedAt: secondsFromNow(301) }, meta))
        .thenFails('VALIDATION_FAILED', 'payload.checkedAt');
    });

    it('rejects a paused monitor with MONITOR_PAUSED', () => {
      const m = monitor();
      const { monitorId } = m.data;
      spec([created, m, events.monitorPaused({ monitorId })])
        .when(commands.recordCheckResult({ monitorId }, meta))
        .thenFails('MONITOR_PAUSED');
    });

    it('rejects unknown and deleted monitors with NOT_FOUND', () => {
      const m = monitor();
      const { monitorId } = m.data;
      const seen = events.checkRecorded({ monitorId });
      spec([created]).when(commands.recordCheckResult({}, meta)).thenFails('NOT_FOUND', 'payload.monitorId');
      spec([created, m, seen, events.monitorDeleted({ monitorId })])
        .when(commands.recordCheckResult({ monitorId, checkId: seen.data.checkId }, meta))
        .thenFails('NOT_FOUND');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE and a stale version with CONFLICT', () => {
      const m = monitor();
      const { monitorId } = m.data;
      spec([created, m, events.tenantDeactivated()]).when(commands.recordCheckResult({ monitorId }, meta)).thenFails('TENANT_INACTIVE');
      spec([created, m])
        .when(commands.recordCheckResult({ monitorId }, { ...meta, expectedVersion: 2 }))
        .thenFails('CONFLICT');
    });
  });
});
