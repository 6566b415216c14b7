import type { DomainCommand } from '../domain-command';
import type { DomainEvent } from '../domain-event';
import { CHECK_ID_WINDOW } from '../monitor/monitor.state';
import { commands, events, TEST_DECISION_PORTS, testEmailHashOf } from '../testing/domain-factories';
import { FIXED_NOW, secondsFromNow } from '../testing/fixed-clock';
import { newId } from '../testing/test-ids';
import type { TenantWriteState } from './tenant-write-state';
import {
  evolveTenantWriteState,
  evolveTenantWriteStateAt,
  initialTenantWriteState,
  liveMonitors,
  pendingMaintenanceWindows,
  RETIRED_WINDOW_GRACE_MS,
} from './tenant-write-state';
import { decide, versionOf } from './tenant-write-state.decider';
import type { TenantWriteSnapshot } from './tenant-write-state.snapshot';
import { UnsupportedSnapshotError, fromSnapshot, toSnapshot } from './tenant-write-state.snapshot';

const replay = (history: readonly DomainEvent[], from = initialTenantWriteState()): TenantWriteState =>
  history.reduce(evolveTenantWriteState, from);

/** Runs commands through decide and evolve, as the processor does, failing on any rejection. */
function run(commandsToRun: readonly DomainCommand[]): { state: TenantWriteState; history: DomainEvent[] } {
  let state = initialTenantWriteState();
  const history: DomainEvent[] = [];
  for (const command of commandsToRun) {
    const decision = decide(command, state, TEST_DECISION_PORTS);
    if (!decision.ok) throw new Error(`${command.type} rejected: ${decision.error.code} ${decision.error.message}`);
    for (const event of decision.events) {
      state = evolveTenantWriteState(state, event);
      history.push({ type: event.type, data: event.data } as DomainEvent);
    }
    expect(versionOf(state, decision)).toBe(decision.version);
  }
  return { state, history };
}

function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    value.forEach((entry) => deepFreeze(entry));
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    Object.values(value).forEach((entry) => deepFreeze(entry));
  }
  return Object.freeze(value);
}

describe('tenant write state', () => {
  const tenantId = newId();
  const meta = { tenantId };
  const userId = newId();
  const apiKeyId = newId();
  const monitorId = newId();
  const otherMonitorId = newId();
  const windowId = newId();
  const cancelledWindowId = newId();
  const lifecycle: DomainCommand[] = [
    commands.createTenant({ name: 'Acme', slug: 'acme', plan: 'free' }, meta),
    commands.changeTenantPlan({ plan: 'pro' }, meta),
    commands.registerUser({ userId, email: 'ada@example.com', role: 'owner' }, meta),
    commands.recordUserLogin({ userId, at: secondsFromNow(-10) }, meta),
    commands.issueApiKey({ apiKeyId, expiresAt: secondsFromNow(86_400) }, meta),
    commands.createMonitor({ monitorId, checkInterval: 30 }, meta),
    commands.createMonitor({ monitorId: otherMonitorId }, meta),
    commands.recordCheckResult({ monitorId, status: 'up', checkedAt: secondsFromNow(-20) }, meta),
    commands.recordCheckResult({ monitorId, status: 'down', checkedAt: secondsFromNow(-10) }, meta),
    commands.recordCheckResult({ monitorId, status: 'down', checkedAt: FIXED_NOW }, meta),
    commands.pauseMonitor({ monitorId: otherMonitorId }, meta),
    commands.deleteMonitor({ monitorId: otherMonitorId }, meta),
    commands.scheduleMaintenance(
      {
        maintenanceWindowId: windowId,
        monitorId,
        startsAt: secondsFromNow(60),
        endsAt: undefined,
        recurrence: { daysOfWeek: ['sun'], startTime: '03:00', durationMinutes: 120, timezone: 'Europe/Paris' },
      },
      meta,
    ),
    commands.scheduleMaintenance({ maintenanceWindowId: cancelledWindowId, title: 'Migration' }, meta),
    commands.cancelMaintenance({ maintenanceWindowId: cancelledWindowId }, meta),
  ];

  it('evolves a whole lifecycle into the state the deciders need', () => {
    const { state } = run(lifecycle);
    expect(state.tenant).toEqual({ lifecycle: 'active', id: tenantId, name: 'Acme', slug: 'acme', plan: 'pro', version: 2 });
    expect(state.users.get(userId)).toEqual({
      lifecycle: 'active',
      id: userId,
      emailHash: testEmailHashOf('ada@example.com'),
      role: 'owner',
      version: 2,
    });
    expect(state.apiKeys.get(apiKeyId)).toMatchObject({ lifecycle: 'active', expiresAt: secondsFromNow(86_400), version: 1 });
    const monitor = state.monitors.get(monitorId);
    expect(monitor).toMatchObject({ lifecycle: 'active', status: 'down', lastCheckedAt: FIXED_NOW, version: 3 });
    expect(monitor?.recentCheckIds.size).toBe(3);
    expect(state.monitors.get(otherMonitorId)).toMatchObject({ lifecycle: 'deleted', version: 3 });
    expect(state.monitors.get(otherMonitorId)?.recentCheckIds.size).toBe(0);
    expect(liveMonitors(state).map((m) => m.id)).toEqual([monitorId]);
    expect(state.maintenanceWindows.get(windowId)).toMatchObject({ lifecycle: 'scheduled', monitorId, endsAt: null, version: 1 });
    expect(state.maintenanceWindows.has(cancelledWindowId)).toBe(false);
    expect(state.retiredMaintenanceWindows.get(cancelledWindowId)).toEqual({ lifecycle: 'cancelled', id: cancelledWindowId, version: 2 });
    expect(pendingMaintenanceWindows(state, FIXED_NOW).map((w) => w.id)).toEqual([windowId]);
  });

  it('rebuilds the same state by replaying the decided events', () => {
    const { state, history } = run(lifecycle);
    expect(replay(history)).toEqual(state);
  });

  it('never mutates the state it evolves', () => {
    const { history } = run(lifecycle);
    const before = deepFreeze(replay(history.slice(0, 6)));
    const snapshotBefore = JSON.stringify(toSnapshot(before));
    expect(() => replay(history.slice(6), before)).not.toThrow();
    expect(JSON.stringify(toSnapshot(before))).toBe(snapshotBefore);
  });

  it('ignores events for aggregates that were never created, so replay is total', () => {
    const state = replay([events.tenantCreated({ tenantId })]);
    const orphans: DomainEvent[] = [events.userRemoved(), events.apiKeyRevoked(), events.monitorPaused(), events.checkRecorded()];
    expect(replay(orphans, state)).toEqual(state);
    expect(replay([events.tenantRenamed()])).toEqual(initialTenantWriteState());
  });

  describe('snapshots', () => {
    it('round-trips through JSON with dates as ISO strings', () => {
      const { state } = run(lifecycle);
      const json = JSON.stringify(toSnapshot(state));
      const parsed = JSON.parse(json) as TenantWriteSnapshot;
      expect(parsed.schemaVersion).toBe(4);
      // Users by their keyed email hash: a snapshot holds no email (erasure could not reach it).
      expect(json).not.toContain('ada@example.com');
      expect(parsed.users.map((user) => user.emailHash)).toContain(testEmailHashOf('ada@example.com'));
      expect(parsed.maintenanceWindows?.find((w) => w.id === windowId)?.startsAt).toBe(secondsFromNow(60).toISOString());
      expect(parsed.retiredMaintenanceWindows).toEqual([{ lifecycle: 'cancelled', id: cancelledWindowId, version: 2 }]);
      expect(parsed.monitors.find((m) => m.id === monitorId)?.lastCheckedAt).toBe(FIXED_NOW.toISOString());
      expect(parsed.apiKeys[0].expiresAt).toBe(secondsFromNow(86_400).toISOString());
      expect(fromSnapshot(parsed)).toEqual(state);
    });

    it('round-trips the empty state', () => {
      const state = initialTenantWriteState();
      expect(fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(state))) as TenantWriteSnapshot)).toEqual(state);
    });

    it('decides the same after a snapshot as before it', () => {
      const { state } = run(lifecycle);
      const restored = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(state))) as TenantWriteSnapshot);
      const seenCheckId = state.monitors.get(monitorId)?.recentCheckIds.toArray()[0] ?? '';
      const probes: DomainCommand[] = [
        commands.recordCheckResult({ monitorId, checkId: seenCheckId }, meta),
        commands.recordCheckResult({ monitorId, status: 'up' }, meta),
        commands.registerUser({ email: 'ADA@example.com' }, meta),
        commands.createMonitor({ monitorId: otherMonitorId }, meta),
        commands.scheduleMaintenance({ maintenanceWindowId: windowId }, meta),
        commands.cancelMaintenance({ maintenanceWindowId: cancelledWindowId }, meta),
        commands.cancelMaintenance({ maintenanceWindowId: windowId }, meta),
      ];
      for (const probe of probes) expect(decide(probe, restored, TEST_DECISION_PORTS)).toEqual(decide(probe, state, TEST_DECISION_PORTS));
    });

    it('refuses a snapshot of an unknown schema version', () => {
      const snapshot = { ...toSnapshot(initialTenantWriteState()), schemaVersion: 5 } as unknown as TenantWriteSnapshot;
      expect(() => fromSnapshot(snapshot)).toThrow(UnsupportedSnapshotError);
    });

    it.each([1, 2, 3])('refuses a version %i snapshot, which holds emails in the clear: the processor replays instead', (version) => {
      const { state } = run(lifecycle);
      const { users, ...rest } = toSnapshot(state);
      const withEmails = users.map(({ emailHash: _hash, ...user }) => ({ ...user, email: 'ada@example.com' }));
      const older = JSON.parse(JSON.stringify({ ...rest, users: withEmails, schemaVersion: version })) as TenantWriteSnapshot;
      expect(() => fromSnapshot(older)).toThrow(UnsupportedSnapshotError);
    });

    it('trims check ids beyond the current window', () => {
      const { state } = run(lifecycle.slice(0, 6));
      const snapshot = toSnapshot(state);
      const ids = Array.from({ length: CHECK_ID_WINDOW + 5 }, () => newId());
      const restored = fromSnapshot({
        ...snapshot,
        monitors: snapshot.monitors.map((m) => ({ ...m, recentCheckIds: ids })),
      });
      expect(restored.monitors.get(monitorId)?.recentCheckIds.toArray()).toEqual(ids.slice(5));
    });
  });

  describe('ended maintenance windows', () => {
    const HOUR_MS = 3_600_000;
    const endedWindow = events.maintenanceScheduled({ monitorId, startsAt: secondsFromNow(-2 * 3600), endsAt: secondsFromNow(-3600) });
    const endedWindowId = endedWindow.data.maintenanceWindowId;
    const base = run(lifecycle.slice(0, 10)).state;
    const withEnded = evolveTenantWriteStateAt(base, endedWindow, secondsFromNow(-3 * 3600));
    const later = (ms: number) => new Date(endedWindow.data.endsAt!.getTime() + ms);
    const checkAt = (checkedAt: Date, now: Date) =>
      decide(commands.recordCheckResult({ monitorId, status: 'down', checkedAt }, { tenantId, now }), withEnded, TEST_DECISION_PORTS);

    it(`stay whole for ${RETIRED_WINDOW_GRACE_MS / HOUR_MS} h after their end, then keep only their id and version`, () => {
      const kept = evolveTenantWriteStateAt(withEnded, events.userLoggedIn({ userId }), later(RETIRED_WINDOW_GRACE_MS - 1));
      expect(kept.maintenanceWindows.has(endedWindowId)).toBe(true);
      const pruned = evolveTenantWriteStateAt(withEnded, events.userLoggedIn({ userId }), later(RETIRED_WINDOW_GRACE_MS));
      expect(pruned.maintenanceWindows.has(endedWindowId)).toBe(false);
      expect(pruned.retiredMaintenanceWindows.get(endedWindowId)).toEqual({ lifecycle: 'ended', id: endedWindowId, version: 1 });
      expect(pruned.maintenanceWindows.has(windowId)).toBe(false);
      expect(versionOf(pruned, { aggregateType: 'maintenance-window', aggregateId: endedWindowId })).toBe(1);
    });

    it('keep their id taken and refuse a cancel once retired', () => {
      const pruned = evolveTenantWriteStateAt(withEnded, events.userLoggedIn({ userId }), later(RETIRED_WINDOW_GRACE_MS));
      const now = later(RETIRED_WINDOW_GRACE_MS + 1);
      const reuse = decide(
        commands.scheduleMaintenance({ maintenanceWindowId: endedWindowId }, { tenantId, now }),
        pruned,
        TEST_DECISION_PORTS,
      );
      expect(reuse.ok ? 'accepted' : reuse.error.code).toBe('ALREADY_EXISTS');
      const cancel = decide(
        commands.cancelMaintenance({ maintenanceWindowId: endedWindowId }, { tenantId, now }),
        pruned,
        TEST_DECISION_PORTS,
      );
      expect(cancel.ok ? 'accepted' : cancel.error.code).toBe('INVALID_STATE');
    });

    it('hold a late check taken inside them until retired, whether pruned yet or not', () => {
      const inside = secondsFromNow(-1.5 * 3600);
      const lateWithinGrace = checkAt(inside, later(RETIRED_WINDOW_GRACE_MS - 1));
      expect(lateWithinGrace.ok && lateWithinGrace.events.map((e) => e.data)).toEqual([expect.objectContaining({ inMaintenance: true })]);
      const tooLate = checkAt(inside, later(RETIRED_WINDOW_GRACE_MS));
      expect(tooLate.ok && tooLate.events.map((e) => e.data)).toEqual([expect.not.objectContaining({ inMaintenance: true })]);
    });

    it('are retired by a rebuild exactly as by the live state, whatever the order of the two topics', () => {
      const times = [secondsFromNow(-3 * 3600), later(RETIRED_WINDOW_GRACE_MS + HOUR_MS)];
      const checkRecorded = events.checkRecorded({ monitorId, checkedAt: times[1] });
      const login = events.userLoggedIn({ userId });
      const live = evolveTenantWriteStateAt(
        evolveTenantWriteStateAt(evolveTenantWriteStateAt(base, endedWindow, times[0]), checkRecorded, times[1]),
        login,
        times[1],
      );
      const eventsFirst = evolveTenantWriteStateAt(
        evolveTenantWriteStateAt(evolveTenantWriteStateAt(base, endedWindow, times[0]), login, times[1]),
        checkRecorded,
        times[1],
      );
      expect(eventsFirst).toEqual(live);
      expect(live.retiredMaintenanceWindows.has(endedWindowId)).toBe(true);
    });
  });
});
