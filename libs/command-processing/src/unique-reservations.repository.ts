import { Pool } from 'pg';
import { asInfrastructure, InfrastructureFailure } from './infrastructure-failure';

export type Reservation = { outcome: 'reserved' } | { outcome: 'taken'; byTenantId: string };

/** The values that must be unique across ALL tenants, and the table that holds each kind. */
const RESERVED_VALUES = {
  tenantSlug: { table: 'tenant_slug_reservations', column: 'slug' },
  apiKeyToken: { table: 'api_key_token_reservations', column: 'token_sha256' },
} as const;

export type ReservedValueKind = keyof typeof RESERVED_VALUES;

/**
 * Cross-partition uniqueness (tenant slugs, API key tokens). Kafka cannot check a value across
 * partitions, so the value is reserved here before the event that takes it is written. The
 * reservation belongs to the tenant, not the attempt: a command re-processed after an aborted
 * transaction, or any later command of the same tenant, finds its own row and goes on.
 */
export class UniqueReservationsRepository {
  constructor(private readonly pool: Pool) {}

  async reserve(kind: ReservedValueKind, value: string, tenantId: string, commandId: string): Promise<Reservation> {
    const { table, column } = RESERVED_VALUES[kind];
    // Two statements on purpose: a row committed by a concurrent reservation after this
    // statement's snapshot is invisible to a SELECT in the same statement, but not to the next one.
    const inserted = await asInfrastructure('postgres', () =>
      this.pool.query(`INSERT INTO ${table} (${column}, tenant_id, command_id) VALUES ($1, $2, $3) ON CONFLICT (${column}) DO NOTHING`, [
        value,
        tenantId,
        commandId,
      ]),
    );
    if (inserted.rowCount === 1) return { outcome: 'reserved' };
    const { rows } = await asInfrastructure('postgres', () =>
      this.pool.query<{ tenant_id: string }>(`SELECT tenant_id FROM ${table} WHERE ${column} = $1`, [value]),
    );
    const owner = rows[0]?.tenant_id;
    // Only a reservation deleted between the two statements does this: the retried slice finds the value free.
    if (owner === undefined)
      throw new InfrastructureFailure('postgres', new Error(`${kind} "${value}" is neither reservable nor reserved`));
    return owner === tenantId ? { outcome: 'reserved' } : { outcome: 'taken', byTenantId: owner };
  }
}
