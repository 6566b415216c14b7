import { evolveTenantWriteStateAt, initialTenantWriteState, TenantWriteState, DomainEvent } from '@vinsight/domain';
import type { CommandResult } from '@vinsight/contracts';
import { RecentResults, ResultOrigin } from './recent-results';

/**
 * How many command results each partition remembers for `commandId` idempotency by default
 * (PROCESSOR_REMEMBERED_RESULTS): the most recent 100,000 per partition (at 5,000 commands/s
 * over 12 partitions, about 4 minutes; at 100/s, hours). They survive restarts through snapshots
 * and the `command-results` topic. Bounded so that memory and snapshots cannot grow with the log:
 * a retry of a command older than that window is decided again (the contract sets no window;
 * README documents this one and its memory).
 */
export const REMEMBERED_RESULTS_PER_PARTITION = 100_000;

/** The write model of one input partition: every tenant keyed to it, and its recent results. */
export class PartitionState {
  readonly tenants = new Map<string, TenantWriteState>();
  readonly results: RecentResults;
  /** Next offset on each output topic (by name) that this state includes everything before. */
  readonly nextOffsets = new Map<string, bigint>();
  /** Records written since the last snapshot, to decide when to take the next one. */
  writtenSinceSnapshot = 0;

  constructor(rememberedResults = REMEMBERED_RESULTS_PER_PARTITION) {
    this.results = new RecentResults(rememberedResults);
  }

  tenant(tenantId: string): TenantWriteState {
    return this.tenants.get(tenantId) ?? initialTenantWriteState();
  }

  /** `occurredAt`: the envelope's time, as the live state was evolved with it. */
  apply(tenantId: string, event: DomainEvent, occurredAt: Date) {
    this.tenants.set(tenantId, evolveTenantWriteStateAt(this.tenant(tenantId), event, occurredAt));
  }

  remember(result: CommandResult, origin?: ResultOrigin) {
    this.results.remember(result, origin);
  }
}
