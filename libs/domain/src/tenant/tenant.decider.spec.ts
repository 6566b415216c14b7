import { spec } from '../testing/decider-specification';
import { commands, events } from '../testing/domain-factories';
import { newId } from '../testing/test-ids';

describe('tenant decider', () => {
  const tenantId = newId();
  const meta = { tenantId };
  const created = events.tenantCreated({ tenantId, name: 'Acme Corp', plan: 'free' });

  describe('CreateTenant', () => {
    it('creates the tenant at version 1 with the id from the metadata', () => {
      const decision = spec([])
        .when(commands.createTenant({ name: 'Acme', slug: 'acme', plan: 'pro' }, meta))
        .then([{ type: 'TenantCreated', data: { tenantId, name: 'Acme', slug: 'acme', plan: 'pro' } }]);
      expect(decision).toMatchObject({ aggregateType: 'tenant', aggregateId: tenantId, version: 1 });
      expect(decision.events[0]).toMatchObject({ aggregateType: 'tenant', aggregateId: tenantId, version: 1 });
    });

    it('accepts expectedVersion 0 for a tenant that does not exist yet', () => {
      spec([])
        .when(commands.createTenant({}, { ...meta, expectedVersion: 0 }))
        .then([events.tenantCreated({ tenantId, name: 'Acme Corp', slug: 'acme-corp', plan: 'free' })]);
    });

    it('rejects an existing tenant with ALREADY_EXISTS', () => {
      spec([created]).when(commands.createTenant({}, meta)).thenFails('ALREADY_EXISTS', 'tenantId');
    });

    it('rejects a deleted tenant with ALREADY_EXISTS: ids are never reused', () => {
      spec([created, events.tenantDeleted()]).when(commands.createTenant({}, meta)).thenFails('ALREADY_EXISTS');
    });

    it('rejects expectedVersion 0 on an existing tenant with CONFLICT', () => {
      spec([created])
        .when(commands.createTenant({}, { ...meta, expectedVersion: 0 }))
        .thenFails('CONFLICT');
    });
  });

  describe('RenameTenant', () => {
    it('renames, remembering the previous name', () => {
      const decision = spec([created])
        .when(commands.renameTenant({ name: 'Acme Two' }, meta))
        .then([{ type: 'TenantRenamed', data: { name: 'Acme Two', previousName: 'Acme Corp' } }]);
      expect(decision.version).toBe(2);
    });

    it('checks expectedVersion against the tenant version', () => {
      spec([created])
        .when(commands.renameTenant({}, { ...meta, expectedVersion: 1 }))
        .then([events.tenantRenamed({ name: 'Acme Renamed', previousName: 'Acme Corp' })]);
      spec([created])
        .when(commands.renameTenant({}, { ...meta, expectedVersion: 2 }))
        .thenFails('CONFLICT');
    });

    it('rejects an unknown tenant with NOT_FOUND', () => {
      spec([]).when(commands.renameTenant({}, meta)).thenFails('NOT_FOUND', 'tenantId');
    });

    it('rejects a deactivated tenant with TENANT_INACTIVE', () => {
      spec([created, events.tenantDeactivated()]).when(commands.renameTenant({}, meta)).thenFails('TENANT_INACTIVE');
    });

    it('rejects a deleted tenant with TENANT_INACTIVE', () => {
      spec([created, events.tenantDeleted()]).when(commands.renameTenant({}, meta)).thenFails('TENANT_INACTIVE');
    });
  });

  describe('ChangeTenantPlan', () => {
    const monitorOn = (checkInterval: number) => events.monitorCreated({ checkInterval });

    it('upgrades', () => {
      spec([created])
        .when(commands.changeTenantPlan({ plan: 'enterprise' }, meta))
        .then([{ type: 'TenantPlanChanged', data: { plan: 'enterprise', previousPlan: 'free' } }]);
    });

    it('downgrades when the monitors fit the new plan', () => {
      const onPro = [created, events.tenantPlanChanged({ plan: 'pro', previousPlan: 'free' })];
      spec([...onPro, monitorOn(60), monitorOn(300)])
        .when(commands.changeTenantPlan({ plan: 'free' }, meta))
        .then([{ type: 'TenantPlanChanged', data: { plan: 'free', previousPlan: 'pro' } }]);
    });

    it('rejects a downgrade when the tenant has more monitors than the new plan allows', () => {
      const onPro = [created, events.tenantPlanChanged({ plan: 'pro', previousPlan: 'free' })];
      const eleven = Array.from({ length: 11 }, () => monitorOn(300));
      spec([...onPro, ...eleven])
        .when(commands.changeTenantPlan({ plan: 'free' }, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED', 'payload.plan');
    });

    it('counts paused monitors but not deleted ones', () => {
      const onPro = [created, events.tenantPlanChanged({ plan: 'pro', previousPlan: 'free' })];
      const ten = Array.from({ length: 10 }, () => monitorOn(300));
      const paused = monitorOn(300);
      const deleted = monitorOn(300);
      const history = [...onPro, ...ten, deleted, events.monitorDeleted({ monitorId: deleted.data.monitorId })];
      spec(history)
        .when(commands.changeTenantPlan({ plan: 'free' }, meta))
        .then([events.tenantPlanChanged({ plan: 'free', previousPlan: 'pro' })]);
      spec([...history, paused, events.monitorPaused({ monitorId: paused.data.monitorId })])
        .when(commands.changeTenantPlan({ plan: 'free' }, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED');
    });

    it('rejects a downgrade when a monitor checks more often than the new plan allows', () => {
      const onEnterprise = [created, events.tenantPlanChanged({ plan: 'enterprise', previousPlan: 'free' })];
      spec([...onEnterprise, monitorOn(10)])
        .when(commands.changeTenantPlan({ plan: 'pro' }, meta))
        .thenFails('PLAN_LIMIT_EXCEEDED', 'payload.plan');
      spec([...onEnterprise, monitorOn(30)])
        .when(commands.changeTenantPlan({ plan: 'pro' }, meta))
        .then([events.tenantPlanChanged({ plan: 'pro', previousPlan: 'enterprise' })]);
    });

    it('rejects the plan the tenant already has with INVALID_STATE', () => {
      spec([created])
        .when(commands.changeTenantPlan({ plan: 'free' }, meta))
        .thenFails('INVALID_STATE');
    });

    it('rejects an unknown tenant with NOT_FOUND and an inactive one with TENANT_INACTIVE', () => {
      spec([]).when(commands.changeTenantPlan({}, meta)).thenFails('NOT_FOUND');
      spec([created, events.tenantDeactivated()]).when(commands.changeTenantPlan({}, meta)).thenFails('TENANT_INACTIVE');
    });
  });

  describe('DeactivateTenant', () => {
    it('deactivates, with or without a reason', () => {
      spec([created])
        .when(commands.deactivateTenant({ reason: 'unpaid' }, meta))
        .then([{ type: 'TenantDeactivated', data: { reason: 'unpaid' } }]);
      spec([created])
        .when(commands.deactivateTenant({}, meta))
        .then([{ type: 'TenantDeactivated', data: {} }]);
    });

    it('rejects a tenant that is already deactivated with TENANT_INACTIVE', () => {
      spec([created, events.tenantDeactivated()]).when(commands.deactivateTenant({}, meta)).thenFails('TENANT_INACTIVE');
    });

    it('rejects an unknown tenant with NOT_FOUND', () => {
      spec([]).when(commands.deactivateTenant({}, meta)).thenFails('NOT_FOUND');
    });
  });

  describe('ReactivateTenant', () => {
    it('reactivates a deactivated tenant', () => {
      const decision = spec([created, events.tenantDeactivated()])
        .when(commands.reactivateTenant(meta))
        .then([{ type: 'TenantReactivated', data: {} }]);
      expect(decision.version).toBe(3);
    });

    it('rejects an active tenant with INVALID_STATE', () => {
      spec([created]).when(commands.reactivateTenant(meta)).thenFails('INVALID_STATE');
    });

    it('rejects a deleted tenant with TENANT_INACTIVE: a deleted tenant accepts nothing', () => {
      spec([created, events.tenantDeleted()]).when(commands.reactivateTenant(meta)).thenFails('TENANT_INACTIVE');
    });

    it('rejects an unknown tenant with NOT_FOUND', () => {
      spec([]).when(commands.reactivateTenant(meta)).thenFails('NOT_FOUND');
    });
  });

  describe('DeleteTenant', () => {
    it('soft-deletes an active tenant', () => {
      spec([created])
        .when(commands.deleteTenant(meta))
        .then([{ type: 'TenantDeleted', data: {} }]);
    });

    it('rejects a deactivated tenant with TENANT_INACTIVE: it accepts only ReactivateTenant', () => {
      spec([created, events.tenantDeactivated()]).when(commands.deleteTenant(meta)).thenFails('TENANT_INACTIVE');
    });

    it('rejects a deleted tenant with TENANT_INACTIVE and an unknown one with NOT_FOUND', () => {
      spec([created, events.tenantDeleted()]).when(commands.deleteTenant(meta)).thenFails('TENANT_INACTIVE');
      spec([]).when(commands.deleteTenant(meta)).thenFails('NOT_FOUND');
    });
  });
});
