import type { EventEnvelope } from '@vinsight/contracts';
import type { PoolClient } from 'pg';
import { column, columnList, rowFrom, TableColumn, updateAssignments } from '../../sql/table-columns';
import { unnestRows } from '../../sql/unnest';
import { TenantRow } from './tenants.evolve';

const COLUMNS: TableColumn<TenantRow>[] = [
  column('id', 'id', 'uuid'),
  column('name', 'name', 'text'),
  column('slug', 'slug', 'text'),
  column('plan', 'plan', 'text'),
  column('is_active', 'isActive', 'boolean'),
  column('deactivation_reason', 'deactivationReason', 'text'),
  column('version', 'version', 'integer'),
  column('created_at', 'createdAt', 'timestamptz'),
  column('updated_at', 'updatedAt', 'timestamptz'),
  column('deleted_at', 'deletedAt', 'timestamptz'),
];

/** The tenants of these events, by id. */
export async function loadTenants(client: PoolClient, envelopes: readonly EventEnvelope[]): Promise<Map<string, TenantRow>> {
  const { rows } = await client.query(`SELECT ${columnList(COLUMNS)} FROM tenants WHERE id = ANY($1::uuid[])`, [
    envelopes.map((e) => e.tenantId),
  ]);
  return new Map(rows.map((r) => [r.id, rowFrom(COLUMNS, r)]));
}

/** The version guard stays in SQL too, so a stale writer can never move a row backwards. */
export async function upsertTenants(client: PoolClient, rows: readonly TenantRow[]): Promise<void> {
  if (rows.length === 0) return;
  const { from, params } = unnestRows(COLUMNS, rows);
  await client.query(
    `INSERT INTO tenants AS t (${columnList(COLUMNS)}) SELECT * FROM ${from}
     ON CONFLICT (id) DO UPDATE SET ${updateAssignments(COLUMNS, ['id', 'created_at'])}
     WHERE t.version < EXCLUDED.version`,
    params,
  );
}
