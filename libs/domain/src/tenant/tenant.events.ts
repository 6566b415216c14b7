import type { Event } from '../shared/event';
import type { Plan } from '../shared/plan-limits';

/** The tenant id is in the data too, so that evolve needs nothing but the event. */
export type TenantCreated = Event<'TenantCreated', { tenantId: string; name: string; slug: string; plan: Plan }>;
export type TenantRenamed = Event<'TenantRenamed', { name: string; previousName: string }>;
export type TenantPlanChanged = Event<'TenantPlanChanged', { plan: Plan; previousPlan: Plan }>;
export type TenantDeactivated = Event<'TenantDeactivated', { reason?: string }>;
export type TenantReactivated = Event<'TenantReactivated', Record<string, never>>;
export type TenantDeleted = Event<'TenantDeleted', Record<string, never>>;

export type TenantEvent = TenantCreated | TenantRenamed | TenantPlanChanged | TenantDeactivated | TenantReactivated | TenantDeleted;
