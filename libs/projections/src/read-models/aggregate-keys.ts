import type { EventEnvelope } from '@vinsight/contracts';

/** The key of a tenant's row in memory, `tenantId|id`: the same string as the key of its events. */
export const tenantScopedKey = (row: { tenantId: string; id: string }): string => `${row.tenantId}|${row.id}`;

/**
 * The (tenant_id, id) pairs of these events' aggregates as two uuid[] parameters, for
 * `JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id)`.
 */
export const aggregateKeyParams = (envelopes: readonly EventEnvelope[]): [string[], string[]] => [
  envelopes.map((e) => e.tenantId),
  envelopes.map((e) => e.aggregateId),
];
