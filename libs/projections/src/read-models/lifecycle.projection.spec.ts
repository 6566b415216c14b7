import type { EventEnvelope } from '@vinsight/contracts';
import { ProjectionRejection } from '../events/projection-rejection';
import { envelope, FIXED_TIME, id } from '../testing/envelopes';
import { apiKeyKeyOf, evolveApiKey } from './api-keys.projection';
import { auditRowOf } from './audit-events.projection';
import { BatchEvent, foldEvents } from './fold';
import { evolveMonitor, monitorKeyOf, MonitorState, monitorVersionOf } from './monitors.projection';
import { ApiKeyRow, TenantRow, UserRow } from './read-model-rows';
import { evolveTenant, tenantKeyOf } from './tenants.projection';
import { evolveUser, userKeyOf } from './users.projection';

const HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const at = (minute: number) => new Date(Date.parse(FIXED_TIME) + minute * 60_000).toISOString();
const batch = (events: EventEnvelope[], keyOf: (e: EventEnvelope) => string): BatchEvent[] =>
  events.map((e, index) => ({ index, envelope: e, key: keyOf(e) }));

describe('tenants projection', () => {
  const created = envelope('TenantCreated', { tenantId: id('tenant'), name: 'Acme', slug: 'acme', plan: 'pro' });
  const renamed = envelope('TenantRenamed', { name: 'Acme Inc', previousName: 'Acme' }, { version: 2, occurredAt: at(1) });
  const deactivated = envelope('TenantDeactivated', { reason: 'unpaid' }, { version: 3, occurredAt: at(2) });

  it('folds a tenant from its events', () => {
    const result = foldEvents(batch([created, renamed, deactivated], tenantKeyOf), new Map(), (r) => r.version, evolveTenant);
    expect(result.changed.get(id('tenant'))).toEqual<TenantRow>({
      id: id('tenant'),
      name: 'Acme Inc',
      slug: 'acme',
      plan: 'pro',
      isActive: false,
      deactivationReason: 'unpaid',
      version: 3,
      createdAt: FIXED_TIME,
      updatedAt: at(2),
      deletedAt: null,
    });
  });

  it('skips events at or below the row version (a redelivery changes nothing)', () => {
    const first = foldEvents(batch([created, renamed], tenantKeyOf), new Map(), (r) => r.version, evolveTenant);
    const again = foldEvents(batch([created, renamed], tenantKeyOf), first.changed, (r) => r.version, evolveTenant);
    expect(again.changed.size).toBe(0);
    expect(again.rejected).toEqual([]);
    expect(again.accepted).toHaveLength(2);
  });

  it('rejects an event of a tenant never created, and goes on with the next ones', () => {
    const result = foldEvents(batch([renamed, created], tenantKeyOf), new Map(), (r) => r.version, evolveTenant);
    expect(result.rejected).toEqual([{ index: 0, rejection: expect.any(ProjectionRejection) }]);
    expect(result.rejected[0].rejection.code).toBe('UNKNOWN_AGGREGATE');
    expect(result.changed.get(id('tenant'))?.version).toBe(1);
  });

  it('rejects a payload the table would refuse', () => {
    const bad = envelope('TenantCreated', { tenantId: id('tenant'), name: 'Acme', slug: 'Not A Slug', plan: 'pro' });
    expect(() => evolveTenant(undefined, bad)).toThrow(/slug/);
  });
});

describe('users projection', () => {
  const registered = envelope('UserRegistered', { userId: id('user'), email: 'Ann@example.com', passwordHash: HASH, role: 'admin' });

  it('registers, logs in and removes a user', () => {
    const events = [
      registered,
      envelope('UserLoggedIn', { userId: id('user'), at: at(5) }, { version: 2, occurredAt: at(5) }),
      envelope('UserRemoved', { userId: id('user') }, { version: 3, occurredAt: at(6) }),
    ];
    const user = foldEvents(batch(events, userKeyOf), new Map(), (r) => r.version, evolveUser).changed.get(`${id('tenant')}|${id('user')}`);
    expect(user).toEqual<UserRow>({
      tenantId: id('tenant'),
      id: id('user'),
      email: 'Ann@example.com',
      passwordHash: HASH,
      role: 'admin',
      isActive: false,
      lastLoginAt: at(5),
      version: 3,
      createdAt: FIXED_TIME,
      updatedAt: at(6),
      deletedAt: at(6),
    });
  });

  it('refuses a password that is not a bcrypt hash', () => {
    expect(() => evolveUser(undefined, envelope('UserRegistered', { userId: id('user'), email: 'a@b.c', passwordHash: 'secret', role: 'user' }))).toThrow(
      /passwordHash/,
    );
  });

  it('refuses an event whose userId is not its aggregate', () => {
    expect(() => userKeyOf(envelope('UserDeactivated', { userId: id('user') }, { aggregateId: id('other') }))).toThrow(/aggregateId/);
  });
});

describe('api keys projection', () => {
  it('issues and revokes a key, keeping only the hash', () => {
    const sha = 'a'.repeat(64);
    const events = [
      envelope('ApiKeyIssued', { apiKeyId: id('key'), name: 'ci', tokenSha256: sha, expiresAt: at(60) }),
      envelope('ApiKeyRevoked', { apiKeyId: id('key') }, { version: 2, occurredAt: at(3) }),
    ];
    const key = foldEvents(batch(events, apiKeyKeyOf), new Map(), (r) => r.version, evolveApiKey).changed.get(`${id('tenant')}|${id('key')}`);
    expect(key).toEqual<ApiKeyRow>({
      tenantId: id('tenant'),
      id: id('key'),
      name: 'ci',
      tokenSha256: sha,
      expiresAt: at(60),
      revokedAt: at(3),
      version: 2,
      createdAt: FIXED_TIME,
      updatedAt: at(3),
    });
  });
});

describe('monitors projection and incidents', () => {
  const monitorId = id('monitor');
  const created = envelope('MonitorCreated', { monitorId, name: 'Home', url: 'https://example.com', checkInterval: 60 });
  let version = 1;
  const next = (type: 'MonitorStatusChanged' | 'MonitorPaused' | 'MonitorDeleted' | 'MonitorUpdated', payload: object, minute: number) =>
    envelope(type, { monitorId, ...payload }, { version: ++version, occurredAt: at(minute), eventId: id(`event-${version}`) });
  const fold = (events: EventEnvelope[], current = new Map<string, MonitorState>()) =>
    foldEvents(batch(events, monitorKeyOf), current, monitorVersionOf, evolveMonitor);

  beforeEach(() => {
    version = 1;
  });

  it('opens an incident when the monitor goes down and resolves it when it is up again', () => {
    const down = next('MonitorStatusChanged', { from: 'up', to: 'down', checkId: id('c1'), checkedAt: at(10), errorMessage: 'timeout' }, 10);
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
    const [incident] = fold([created, down, up]).changed.get(`${id('tenant')}|${monitorId}`)!.incidents.values();
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
});

describe('audit events', () => {
  it('keeps the envelope metadata, issuedBy when present and null when not', () => {
    const e = envelope('TenantRenamed', { name: 'x', previousName: 'y' }, { issuedBy: 'billing-service', version: 2 });
    expect(auditRowOf(e)).toMatchObject({ type: 'TenantRenamed', aggregateType: 'tenant', version: 2, issuedBy: 'billing-service', payload: '{"name":"x","previousName":"y"}' });
    expect(auditRowOf(envelope('TenantDeleted', {})).issuedBy).toBeNull();
  });
});
