import { evolveTenantWriteState, initialTenantWriteState, TenantWriteState, DomainEvent } from '@vinsight/domain';
import type { CommandResult } from '@vinsight/contracts';

/**
 * How many command results each partition remembers for `commandId` idempotency. The commands
 * topic keeps 7 days; a producer retrying inside that window finds its result here, and on a
 * rebuild the results are read back from `command-results`. Bounded so a busy partition cannot
 * grow without limit: the oldest ids are forgotten first.
 */
export const REMEMBERED_RESULTS_PER_PARTITION = 500_000;

/** The write model of one input partition: every tenant keyed to it, and its recent results. */
export class PartitionState {
  readonly tenants = new Map<string, TenantWriteState>();
  readonly results = new Map<string, CommandResult>();

  tenant(tenantId: string): TenantWriteState {
    return this.tenants.get(tenantId) ?? initialTenantWriteState();
  }

  apply(tenantId: string, event: DomainEvent) {
    this.tenants.set(tenantId, evolveTenantWriteState(this.tenant(tenantId), event));
  }

  remember(result: CommandResult) {
    this.results.delete(result.commandId);
    this.results.set(result.commandId, result);
    if (this.results.size > REMEMBERED_RESULTS_PER_PARTITION) {
      const oldest = this.results.keys().next().value;
      if (oldest !== undefined) this.results.delete(oldest);
    }
  }
}
