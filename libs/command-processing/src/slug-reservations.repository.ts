import { Pool } from 'pg';
import { asInfrastructure, InfrastructureFailure } from './infrastructure-failure';

export type SlugReservation = { outcome: 'reserved' } | { outcome: 'taken'; byTenantId: string };

/**
 * Cross-partition uniqueness of tenant slugs (ARCHITECTURE.md decision 2). Kafka cannot check a
 * value across partitions, so the slug is reserved here before TenantCreated is written. The
 * reservation belongs to the tenant, not the attempt: a command re-processed after an aborted
 * transaction, or any later command of the same tenant, finds its own row and goes on.
 */
export class SlugReservationsRepository {
  constructor(private readonly pool: Pool) {}

  async reserve(slug: string, tenantId: string, commandId: string): Promise<SlugReservation> {
    // Two statements on purpose: a row committed by a concurrent reservation after this
    // statement's snapshot is invisible to a SELECT in the same statement, but not to the next one.
    const inserted = await asInfrastructure('postgres', () =>
      this.pool.query(
        `INSERT INTO tenant_slug_reservations (slug, tenant_id, command_id) VALUES ($1, $2, $3)
         ON CONFLICT (slug) DO NOTHING`,
        [slug, tenantId, commandId],
      ),
    );
    if (inserted.rowCount === 1) return { outcome: 'reserved' };
    const { rows } = await asInfrastructure('postgres', () =>
      this.pool.query<{ tenant_id: string }>('SELECT tenant_id FROM tenant_slug_reservations WHERE slug = $1', [slug]),
    );
    const owner = rows[0]?.tenant_id;
    // Only a reservation deleted between the two statements does this: the retried slice finds the slug free.
    if (owner === undefined) throw new InfrastructureFailure('postgres', new Error(`slug "${slug}" is neither reservable nor reserved`));
    return owner === tenantId ? { outcome: 'reserved' } : { outcome: 'taken', byTenantId: owner };
  }
}
