import type { EventEnvelope } from '@vinsight/contracts';
import type { PoolClient } from 'pg';
import { column, columnList, rowFrom, TableColumn, updateAssignments } from '../../sql/table-columns';
import { unnestRows } from '../../sql/unnest';
import { aggregateKeyParams, tenantScopedKey } from '../aggregate-keys';
import { UserRow } from './users.evolve';

const COLUMNS: TableColumn<UserRow>[] = [
  column('tenant_id', 'tenantId', 'uuid'),
  column('id', 'id', 'uuid'),
  column('email', 'email', 'text'),
  column('password_hash', 'passwordHash', 'text'),
  column('role', 'role', 'text'),
  column('is_active', 'isActive', 'boolean'),
  column('last_login_at', 'lastLoginAt', 'timestamptz'),
  column('version', 'version', 'integer'),
  column('created_at', 'createdAt', 'timestamptz'),
  column('updated_at', 'updatedAt', 'timestamptz'),
  column('deleted_at', 'deletedAt', 'timestamptz'),
];

/** The users of these events, by `tenantId|id`. */
export async function loadUsers(client: PoolClient, envelopes: readonly EventEnvelope[]): Promise<Map<string, UserRow>> {
  const { rows } = await client.query(
    `SELECT ${columnList(COLUMNS, 'u')}
     FROM users u JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON u.tenant_id = k.tenant_id AND u.id = k.id`,
    aggregateKeyParams(envelopes),
  );
  return new Map(rows.map((r) => rowFrom(COLUMNS, r)).map((row) => [tenantScopedKey(row), row]));
}

/**
 * Rows that exist are written first: a user removed in this batch frees its email for a user
 * registered later in the same batch (users_tenant_email_key is checked row by row). The version
 * guard stays in SQL too, so a stale writer can never move a row backwards.
 */
export async function upsertUsers(client: PoolClient, rows: readonly UserRow[], loaded: ReadonlyMap<string, UserRow>): Promise<void> {
  if (rows.length === 0) return;
  const isNew = (row: UserRow) => Number(!loaded.has(tenantScopedKey(row)));
  const { from, params } = unnestRows(
    COLUMNS,
    [...rows].sort((a, b) => isNew(a) - isNew(b)),
  );
  await client.query(
    `INSERT INTO users AS t (${columnList(COLUMNS)}) SELECT * FROM ${from}
     ON CONFLICT (tenant_id, id) DO UPDATE SET ${updateAssignments(COLUMNS, ['tenant_id', 'id', 'created_at'])}
     WHERE t.version < EXCLUDED.version`,
    params,
  );
}
