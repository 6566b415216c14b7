import type { EventEnvelope } from '@vinsight/contracts';
import { PLANS, TEXT_RULES } from '@vinsight/domain';
import type { EventType } from '@vinsight/domain';
import { reject } from '../../events/projection-rejection';
import { fields } from '../payload-fields';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A row of `tenants`. Times are ISO-8601 text: the envelope's own, so replays write identical values. */
export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  plan: string;
  isActive: boolean;
  deactivationReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export const TENANT_EVENTS: readonly EventType[] = [
  'TenantCreated',
  'TenantRenamed',
  'TenantPlanChanged',
  'TenantDeactivated',
  'TenantReactivated',
  'TenantDeleted',
];

export const tenantKeyOf = (e: EventEnvelope): string => e.tenantId;

/** The tenants read model: one row per tenant, evolved by Tenant* events. */
export function evolveTenant(row: TenantRow | undefined, e: EventEnvelope): TenantRow {
  const p = fields(e.payload);
  if (e.type === 'TenantCreated') {
    if (row) reject('INVALID_PAYLOAD', `tenant ${e.tenantId} already exists`);
    if (p.has('tenantId') && p.uuid('tenantId') !== e.tenantId) reject('INVALID_PAYLOAD', 'payload.tenantId differs from the envelope');
    return {
      id: e.tenantId,
      name: p.text('name', TEXT_RULES.tenantName),
      slug: p.text('slug', { min: 3, max: 100 }, SLUG),
      plan: p.has('plan') ? p.oneOf('plan', PLANS) : 'free',
      isActive: true,
      deactivationReason: null,
      version: e.version,
      createdAt: e.occurredAt,
      updatedAt: e.occurredAt,
      deletedAt: null,
    };
  }
  if (!row) return reject('UNKNOWN_AGGREGATE', `tenant ${e.tenantId} was never created`);
  const next = { ...row, version: e.version, updatedAt: e.occurredAt };
  switch (e.type) {
    case 'TenantRenamed':
      return { ...next, name: p.text('name', TEXT_RULES.tenantName) };
    case 'TenantPlanChanged':
      return { ...next, plan: p.oneOf('plan', PLANS) };
    case 'TenantDeactivated':
      return { ...next, isActive: false, deactivationReason: p.optionalText('reason', TEXT_RULES.deactivationReason) };
    case 'TenantReactivated':
      return { ...next, isActive: true, deactivationReason: null };
    case 'TenantDeleted':
      return { ...next, isActive: false, deletedAt: e.occurredAt };
    default:
      return reject('UNSUPPORTED_EVENT', `${e.type} is not a tenant event`);
  }
}
