import { EVENT_TYPES } from '@vinsight/domain';
import { TEST_DECISION_PORTS as ports } from '../../../domain/src/testing/domain-factories';
import { EVENT_UPCASTERS, EVENT_VERSIONING, eventVersioning, UnsupportedSchemaVersionError } from './event-upcasters';

describe('event versioning', () => {
  // A made-up history of MonitorCreated: v2 renamed `interval` to `checkInterval`, v3 added `tags`.
  const versioning = eventVersioning({
    MonitorCreated: {
      1: ({ interval, ...rest }) => ({ ...rest, checkInterval: interval }),
      2: (payload) => ({ ...payload, tags: [] }),
    },
  });

  it('makes a type without upcasters version 1, and one with n upcasters version n + 1', () => {
    expect(versioning.currentVersion('TenantCreated')).toBe(1);
    expect(versioning.currentVersion('MonitorCreated')).toBe(3);
  });

  it('lifts a payload through every step, in order, to the current version', () => {
    expect(versioning.upcast('MonitorCreated', 1, { name: 'a', interval: 60 }, ports)).toEqual({
      schemaVersion: 3,
      payload: { name: 'a', checkInterval: 60, tags: [] },
    });
    expect(versioning.upcast('MonitorCreated', 2, { name: 'a', checkInterval: 30 }, ports)).toEqual({
      schemaVersion: 3,
      payload: { name: 'a', checkInterval: 30, tags: [] },
    });
  });

  it('reads an absent version as 1', () => {
    expect(versioning.upcast('MonitorCreated', undefined, { interval: 10 }, ports).payload).toEqual({ checkInterval: 10, tags: [] });
  });

  it('leaves a current payload as it is (the same object) and never changes its argument', () => {
    const current = { name: 'a', checkInterval: 30, tags: ['x'] };
    expect(versioning.upcast('MonitorCreated', 3, current, ports).payload).toBe(current);
    const old = Object.freeze({ name: 'a', interval: 60 });
    versioning.upcast('MonitorCreated', 1, old, ports);
    expect(old).toEqual({ name: 'a', interval: 60 });
  });

  it.each([4, 0, -1, 1.5, '1', null])('refuses version %p, naming the type and the versions it reads', (version) => {
    expect(() => versioning.upcast('MonitorCreated', version, {}, ports)).toThrow(UnsupportedSchemaVersionError);
    expect(() => versioning.upcast('MonitorCreated', version, {}, ports)).toThrow(
      /MonitorCreated schemaVersion .* \(this version reads 1\.\.3\)/,
    );
  });

  it("has, for every type of the service's own registry, an upcaster from each version below the current one", () => {
    for (const type of EVENT_TYPES) {
      const steps = Object.keys(EVENT_UPCASTERS[type] ?? {})
        .map(Number)
        .sort((a, b) => a - b);
      expect(steps).toEqual(Array.from({ length: EVENT_VERSIONING.currentVersion(type) - 1 }, (_, i) => i + 1));
    }
  });

  it('lifts UserRegistered v1 (email and hash in the clear) to v2: the keyed email hash, and the personal fields apart', () => {
    const hash = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
    const v1 = { userId: 'u1', email: 'Ada@Example.com', passwordHash: hash, role: 'admin' };
    expect(EVENT_VERSIONING.upcast('UserRegistered', 1, v1, ports)).toEqual({
      schemaVersion: 2,
      payload: {
        userId: 'u1',
        role: 'admin',
        emailHash: ports.emailHashOf('ada@example.com'),
        personal: { email: 'Ada@Example.com', passwordHash: hash },
      },
    });
    // Total on what v1 allowed to be written: the read model refuses what is malformed, not the upcaster.
    expect(EVENT_VERSIONING.upcast('UserRegistered', 1, { userId: 'u1' }, ports).payload).toEqual({
      userId: 'u1',
      role: 'user',
      emailHash: null,
      personal: { email: undefined, passwordHash: undefined },
    });
  });
});
