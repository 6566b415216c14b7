import { FIXED_NOW } from '../testing/fixed-clock';
import { newId } from '../testing/test-ids';
import type { WeeklyRecurrence } from './maintenance.commands';
import { hasEnded, isPending, maintenanceSecondsBetween, occurrenceAt, occurrencesBetween } from './maintenance.schedule';
import type { MaintenanceWindow } from './maintenance.state';
import { instantOfWallClock, isIanaTimeZone, wallClockOf } from './maintenance-time';

const at = (iso: string): Date => new Date(iso);

function aWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    lifecycle: 'scheduled',
    id: newId(),
    monitorId: null,
    title: null,
    startsAt: at('2025-01-15T10:00:00Z'),
    endsAt: at('2025-01-15T12:00:00Z'),
    recurrence: null,
    version: 1,
    ...overrides,
  };
}

const weekly = (recurrence: Partial<WeeklyRecurrence>): Partial<MaintenanceWindow> => ({
  startsAt: at('2025-01-01T00:00:00Z'),
  endsAt: null,
  recurrence: {
    daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    startTime: '02:30',
    durationMinutes: 60,
    timezone: 'UTC',
    ...recurrence,
  },
});

describe('maintenance schedule', () => {
  describe('a window without recurrence', () => {
    const window = aWindow();

    it('contains its start and not its end', () => {
      expect(occurrenceAt(window, at('2025-01-15T10:00:00Z'))).toEqual({ start: window.startsAt, end: window.endsAt });
      expect(occurrenceAt(window, at('2025-01-15T11:59:59.999Z'))).not.toBeNull();
      expect(occurrenceAt(window, at('2025-01-15T12:00:00Z'))).toBeNull();
      expect(occurrenceAt(window, at('2025-01-15T09:59:59.999Z'))).toBeNull();
    });

    it('contains nothing once cancelled', () => {
      expect(occurrenceAt({ ...window, lifecycle: 'cancelled' }, at('2025-01-15T11:00:00Z'))).toBeNull();
    });

    it('is pending until its end, and not when cancelled', () => {
      expect(isPending(window, at('2025-01-15T11:59:59Z'))).toBe(true);
      expect(hasEnded(window, at('2025-01-15T12:00:00Z'))).toBe(true);
      expect(isPending(window, at('2025-01-15T12:00:00Z'))).toBe(false);
      expect(isPending({ ...window, lifecycle: 'cancelled' }, FIXED_NOW)).toBe(false);
      expect(isPending(aWindow(weekly({})), at('2099-01-01T00:00:00Z'))).toBe(true);
    });
  });

  describe('a weekly recurrence', () => {
    it('repeats on the days named, at the local time, for the duration', () => {
      const window = aWindow(weekly({ daysOfWeek: ['sat', 'sun'], startTime: '23:00', durationMinutes: 120 }));
      // 2025-01-18 is a Saturday: 23:00 to 01:00 on Sunday.
      expect(occurrenceAt(window, at('2025-01-18T23:00:00Z'))).toEqual({
        start: at('2025-01-18T23:00:00Z'),
        end: at('2025-01-19T01:00:00Z'),
      });
      expect(occurrenceAt(window, at('2025-01-19T00:59:59Z'))).toEqual({
        start: at('2025-01-18T23:00:00Z'),
        end: at('2025-01-19T01:00:00Z'),
      });
      expect(occurrenceAt(window, at('2025-01-19T01:00:00Z'))).toBeNull();
      // Sunday's occurrence runs into Monday, a day not named: it still holds until its end.
      expect(occurrenceAt(window, at('2025-01-20T00:30:00Z'))).toEqual({
        start: at('2025-01-19T23:00:00Z'),
        end: at('2025-01-20T01:00:00Z'),
      });
      expect(occurrenceAt(window, at('2025-01-20T23:30:00Z'))).toBeNull();
      expect(occurrenceAt(window, at('2025-01-17T23:30:00Z'))).toBeNull();
    });

    it('clips occurrences to startsAt and endsAt', () => {
      const window = aWindow({ ...weekly({}), startsAt: at('2025-01-15T03:00:00Z'), endsAt: at('2025-01-16T03:00:00Z') });
      expect(occurrenceAt(window, at('2025-01-15T02:45:00Z'))).toBeNull();
      expect(occurrenceAt(window, at('2025-01-15T03:10:00Z'))).toEqual({
        start: at('2025-01-15T03:00:00Z'),
        end: at('2025-01-15T03:30:00Z'),
      });
      expect(occurrenceAt(window, at('2025-01-16T02:45:00Z'))).toEqual({
        start: at('2025-01-16T02:30:00Z'),
        end: at('2025-01-16T03:00:00Z'),
      });
      expect(occurrenceAt(window, at('2025-01-17T02:45:00Z'))).toBeNull();
    });

    it('follows the wall clock of its time zone across a spring-forward (Europe/Paris, 30 March 2025)', () => {
      const window = aWindow(weekly({ startTime: '02:30', durationMinutes: 60, timezone: 'Europe/Paris' }));
      // CET (+1) the day before: 02:30 local is 01:30Z.
      expect(occurrenceAt(window, at('2025-03-29T01:30:00Z'))?.start).toEqual(at('2025-03-29T01:30:00Z'));
      // 02:30 does not exist on the day of the change: the occurrence starts at 03:30 CEST, 01:30Z.
      expect(occurrenceAt(window, at('2025-03-30T01:29:59Z'))).toBeNull();
      expect(occurrenceAt(window, at('2025-03-30T01:30:00Z'))).toEqual({
        start: at('2025-03-30T01:30:00Z'),
        end: at('2025-03-30T02:30:00Z'),
      });
      // CEST (+2) the day after: 02:30 local is 00:30Z, an hour earlier in UTC.
      expect(occurrenceAt(window, at('2025-03-31T00:30:00Z'))).toEqual({
        start: at('2025-03-31T00:30:00Z'),
        end: at('2025-03-31T01:30:00Z'),
      });
      expect(occurrenceAt(window, at('2025-03-31T01:30:00Z'))).toBeNull();
    });

    it('starts at the first of a repeated hour at a fall-back and lasts elapsed time (America/New_York, 2 November 2025)', () => {
      const window = aWindow(weekly({ startTime: '01:30', durationMinutes: 30, timezone: 'America/New_York' }));
      // 01:30 EDT (-4) is 05:30Z; the second 01:30 (EST, 06:30Z) starts nothing.
      expect(occurrenceAt(window, at('2025-11-02T05:45:00Z'))).toEqual({
        start: at('2025-11-02T05:30:00Z'),
        end: at('2025-11-02T06:00:00Z'),
      });
      expect(occurrenceAt(window, at('2025-11-02T06:40:00Z'))).toBeNull();
      // EST the next day: 01:30 local is 06:30Z.
      expect(occurrenceAt(window, at('2025-11-03T06:40:00Z'))?.start).toEqual(at('2025-11-03T06:30:00Z'));
    });
  });

  describe('time zone arithmetic', () => {
    it('knows IANA names and refuses offsets and unknown names', () => {
      expect(['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'].map(isIanaTimeZone)).toEqual([true, true, true, true]);
      expect(['+02:00', 'Mars/Olympus_Mons', '', 'Europe/Paris; DROP'].map(isIanaTimeZone)).toEqual([false, false, false, false]);
    });

    it('maps wall clocks to instants and back', () => {
      const wall = Date.UTC(2025, 6, 1, 9, 15);
      const instant = instantOfWallClock(wall, 'Asia/Kolkata');
      expect(new Date(instant)).toEqual(at('2025-07-01T03:45:00Z'));
      expect(wallClockOf(instant, 'Asia/Kolkata')).toBe(wall);
    });
  });
});

describe('maintenance time between two instants', () => {
  it('lists the occurrences overlapping a range, clipped to it, across a DST change', () => {
    const window = aWindow(weekly({ startTime: '02:30', durationMinutes: 60, timezone: 'Europe/Paris' }));
    expect(occurrencesBetween(window, at('2025-03-29T02:00:00Z'), at('2025-03-31T01:00:00Z'))).toEqual([
      { start: at('2025-03-29T02:00:00Z'), end: at('2025-03-29T02:30:00Z') },
      { start: at('2025-03-30T01:30:00Z'), end: at('2025-03-30T02:30:00Z') },
      { start: at('2025-03-31T00:30:00Z'), end: at('2025-03-31T01:00:00Z') },
    ]);
  });

  it('counts overlapping windows once, cancelled ones not at all', () => {
    const a = aWindow({ startsAt: at('2025-01-15T10:00:00Z'), endsAt: at('2025-01-15T12:00:00Z') });
    const b = aWindow({ startsAt: at('2025-01-15T11:00:00Z'), endsAt: at('2025-01-15T13:00:00Z') });
    const cancelled = aWindow({ lifecycle: 'cancelled', startsAt: at('2025-01-15T14:00:00Z'), endsAt: at('2025-01-15T15:00:00Z') });
    expect(maintenanceSecondsBetween([a, b, cancelled], at('2025-01-15T00:00:00Z'), at('2025-01-16T00:00:00Z'))).toBe(3 * 3600);
    expect(maintenanceSecondsBetween([a, b], at('2025-01-15T11:30:00Z'), at('2025-01-15T12:30:00Z'))).toBe(3600);
    expect(maintenanceSecondsBetween([], at('2025-01-15T00:00:00Z'), at('2025-01-16T00:00:00Z'))).toBe(0);
  });

  it('adds a week of a daily recurrence up', () => {
    const window = aWindow(weekly({ startTime: '23:30', durationMinutes: 45, timezone: 'America/New_York' }));
    expect(maintenanceSecondsBetween([window], at('2025-02-01T00:00:00Z'), at('2025-02-08T00:00:00Z'))).toBe(7 * 45 * 60);
  });
});
