import type { EventEnvelope } from '@vinsight/contracts';
import type { PoolClient } from 'pg';
import { column, columnList, rowFrom, TableColumn, updateAssignments } from '../../sql/table-columns';
import { unnestRows } from '../../sql/unnest';
import { aggregateKeyParams, tenantScopedKey } from '../aggregate-keys';
import { ApiKeyRow } from './api-keys.evolve';

const COLUMNS: TableColumn<ApiKeyRow>[] = [
  column('tenant_id', 'tenantId', 'uuid'),
  column('id', 'id', 'uuid'),
  column('name', 'name', 'text'),
  column('token_sha256', 'tokenSha256', 'text'),
  column('expires_at', 'expiresAt', 'timestamptz'),
  column('revoked_at', 'revokedAt', 'timestamptz'),
  column('version', 'version', 'integer'),
  column('created_at', 'createdAt', 'timestamptz'),
  column('updated_at', 'updatedAt', 'timestamptz'),
];

/** The API keys of these events, by `tenantId|id`. */
export async function loadApiKeys(client: PoolClient, envelopes: readonly EventEnvelope[]): Promise<Map<string, ApiKeyRow>> {
  const { rows } = await client.query(
    `SELECT ${columnList(COLUMNS, 'a')}
     FROM api_keys a JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON a.tenant_id = k.tenant_id AND a.id = k.id`,
    aggregateKeyParams(envelopes),
  );
  return new Map(rows.map((r) => rowFrom(COLUMNS, r)).map((row) => [tenantScopedKey(row), row]));
}

/** The version guard stays in SQL too, so a stale writer can never move a row backwards. */
export async function upsertApiKeys(client: PoolClient, rows: readonly ApiKeyRow[]): Promise<void> {
  if (rows.length === 0) return;
  const { from, params } = unnestRows(COLUMNS, rows);
  await client.query(
    `INSERT INTO api_keys AS t (${columnList(COLUMNS)}) SELECT * FROM ${from}
     ON CONFLICT (tenant_id, id) DO UPDATE SET ${updateAssignments(COLUMNS, ['tenant_id', 'id', 'created_at'])}
     WHERE t.version < EXCLUDED.version`,
    params,
  );
}
