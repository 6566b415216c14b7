import type { Plan } from '../shared/plan-limits';
import type { TenantEvent } from './tenant.events';

export interface Tenant {
  readonly lifecycle: 'active' | 'deactivated' | 'deleted';
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly plan: Plan;
  readonly version: number;
}

export interface NoTenant {
  readonly lifecycle: 'absent';
  readonly version: 0;
}

export type TenantState = NoTenant | Tenant;

export const initialTenantState = (): TenantState => ({ lifecycle: 'absent', version: 0 });

export function evolveTenant(state: TenantState, event: TenantEvent): TenantState {
  if (event.type === 'TenantCreated') {
    const { tenantId, name, slug, plan } = event.data;
    return { lifecycle: 'active', id: tenantId, name, slug, plan, version: state.version + 1 };
  }
  // Events for a tenant that was never created cannot come from decide; ignoring them keeps
  // evolve total, which replay from a topic needs.
  if (state.lifecycle === 'absent') return state;
  const version = state.version + 1;
  switch (event.type) {
    case 'TenantRenamed':
      return { ...state, name: event.data.name, version };
    case 'TenantPlanChanged':
      return { ...state, plan: event.data.plan, version };
    case 'TenantDeactivated':
      return { ...state, lifecycle: 'deactivated', version };
    case 'TenantReactivated':
      return { ...state, lifecycle: 'active', version };
    case 'TenantDeleted':
      return { ...state, lifecycle: 'deleted', version };
  }
}
