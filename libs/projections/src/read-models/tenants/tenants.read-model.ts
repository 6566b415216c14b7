import { foldAggregates } from '../../engine/fold';
import { lifecycleEvents, ReadModel } from '../../engine/read-model';
import { evolveTenant, TENANT_EVENTS, tenantKeyOf } from './tenants.evolve';
import { loadTenants, upsertTenants } from './tenants.sql';

/** `tenants`: one row per tenant, folded from its Tenant* events. */
export const tenantsReadModel: ReadModel = {
  name: 'tenants',
  tables: ['tenants'],
  canHandle: TENANT_EVENTS,
  async handle(events, context) {
    const { changed } = await foldAggregates(
      lifecycleEvents(events),
      { keyOf: tenantKeyOf, load: loadTenants, versionOf: (r) => r.version, evolve: evolveTenant },
      context,
    );
    await upsertTenants(context.client, changed);
    // a deactivated or deleted tenant's credentials stop working as soon as this commits
    context.credentialsChanged(changed.map((row) => row.id));
  },
};
