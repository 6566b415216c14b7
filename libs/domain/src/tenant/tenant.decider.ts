import type { DomainError } from '../shared/domain-error';
import { alreadyExists, invalidState, notFound, planLimitExceeded, tenantInactive } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { accept, reject } from '../shared/outcome';
import { PLAN_LIMITS } from '../shared/plan-limits';
import type { TenantCommand } from './tenant.commands';
import type { TenantEvent } from './tenant.events';
import type { Tenant, TenantState } from './tenant.state';

export interface TenantDecisionContext {
  /** Check intervals of the tenant's monitors that are not deleted (paused ones included); only a plan change needs them. */
  readonly monitorIntervals: () => readonly number[];
}

/**
 * asyncapi.yaml, CommandEnvelope: "a tenant that is deactivated or deleted accepts only ReactivateTenant
 * (deactivated) or nothing (deleted)". Every command other than CreateTenant passes through
 * here; for a deleted tenant we answer TENANT_INACTIVE rather than NOT_FOUND, because the id
 * still exists (it can never be created again) and the caller needs to know why it is refused.
 */
export function requireActiveTenant(
  tenant: TenantState,
): { readonly ok: true; readonly tenant: Tenant } | { readonly ok: false; readonly error: DomainError } {
  switch (tenant.lifecycle) {
    case 'absent':
      return reject(notFound('tenant does not exist', 'tenantId'));
    case 'deleted':
      return reject(tenantInactive(`tenant ${tenant.id} is deleted`));
    case 'deactivated':
      return reject(tenantInactive(`tenant ${tenant.id} is deactivated`));
    case 'active':
      return { ok: true, tenant };
  }
}

export function decideTenant(command: TenantCommand, tenant: TenantState, context: TenantDecisionContext): Outcome<TenantEvent> {
  if (command.type === 'CreateTenant') {
    if (tenant.lifecycle !== 'absent') return reject(alreadyExists(`tenant ${tenant.id} already exists`, 'tenantId'));
    const { name, slug, plan } = command.data;
    return accept({ type: 'TenantCreated', data: { tenantId: command.metadata.tenantId, name, slug, plan } });
  }

  if (command.type === 'ReactivateTenant') {
    if (tenant.lifecycle === 'deactivated') return accept({ type: 'TenantReactivated', data: {} });
    const gate = requireActiveTenant(tenant);
    return gate.ok ? reject(invalidState(`tenant ${gate.tenant.id} is already active`)) : gate;
  }

  const gate = requireActiveTenant(tenant);
  if (!gate.ok) return gate;
  const active = gate.tenant;

  switch (command.type) {
    case 'RenameTenant':
      return accept({ type: 'TenantRenamed', data: { name: command.data.name, previousName: active.name } });
    case 'ChangeTenantPlan':
      return decidePlanChange(active, command.data.plan, context);
    case 'DeactivateTenant':
      return accept({
        type: 'TenantDeactivated',
        data: command.data.reason === undefined ? {} : { reason: command.data.reason },
      });
    case 'DeleteTenant':
      return accept({ type: 'TenantDeleted', data: {} });
  }
}

/**
 * A plan change (down or up) is refused when the tenant's current monitors would break the new
 * plan: more monitors than it allows, or any monitor checking more often than its minimum
 * interval. We refuse rather than silently pausing or slowing monitors: the caller decides
 * which monitors to delete or slow down first. Changing to the current plan is INVALID_STATE.
 */
function decidePlanChange(tenant: Tenant, plan: Tenant['plan'], context: TenantDecisionContext): Outcome<TenantEvent> {
  if (plan === tenant.plan) return reject(invalidState(`tenant is already on plan ${plan}`));
  const limits = PLAN_LIMITS[plan];
  const intervals = context.monitorIntervals();
  const count = intervals.length;
  if (limits.maxMonitors !== null && count > limits.maxMonitors) {
    return reject(planLimitExceeded(`plan ${plan} allows at most ${limits.maxMonitors} monitors; the tenant has ${count}`, 'payload.plan'));
  }
  const tooFrequent = intervals.filter((interval) => interval < limits.minCheckIntervalSeconds).length;
  if (tooFrequent > 0) {
    return reject(
      planLimitExceeded(
        `plan ${plan} requires check intervals of at least ${limits.minCheckIntervalSeconds} s; ` +
          `${tooFrequent} monitor(s) check more often`,
        'payload.plan',
      ),
    );
  }
  return accept({ type: 'TenantPlanChanged', data: { plan, previousPlan: tenant.plan } });
}
