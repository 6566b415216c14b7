import type { EventEnvelope } from '@vinsight/contracts';
import { BatchEvent, foldEvents } from '../../engine/fold';
import { ProjectionRejection } from '../../events/projection-rejection';
import { envelope, FIXED_TIME, id } from '../../testing/envelopes';
import { evolveTenant, TenantRow, tenantKeyOf } from './tenants.evolve';

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
