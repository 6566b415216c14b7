import type { EventEnvelope } from '@vinsight/contracts';
import type { PoolClient } from 'pg';
import { column, columnList, rowFrom, TableColumn, updateAssignments } from '../../sql/table-columns';
import { unnestRows } from '../../sql/unnest';
import { aggregateKeyParams, tenantScopedKey } from '../aggregate-keys';
import { MaintenanceWindowRow } from './maintenance-windows.evolve';

const COLUMNS: TableColumn<MaintenanceWindowRow>[] = [
  column('tenant_id', 'tenantId', 'uuid'),
  column('id', 'id', 'uuid'),
  column('monitor_id', 'monitorId', 'uuid'),
  column('title', 'title', 'text'),
  column('starts_at', 'startsAt', 'timestamptz'),
  column('ends_at', 'endsAt', 'timestamptz'),
  // Passed joined by commas and split in the SELECT: unnest would flatten a text[][] parameter.
  { ...column<MaintenanceWindowRow>('recurrence_days', 'recurrenceDays', 'text'), value: (row) => row.recurrenceDays?.join(',') ?? null },
  column('recurrence_start_time', 'recurrenceStartTime', 'text'),
  column('recurrence_duration_minutes', 'recurrenceDurationMinutes', 'integer'),
  column('recurrence_timezone', 'recurrenceTimezone', 'text'),
  column('cancelled_at', 'cancelledAt', 'timestamptz'),
  column('version', 'version', 'integer'),
  column('created_at', 'createdAt', 'timestamptz'),
  column('updated_at', 'updatedAt', 'timestamptz'),
];

const SELECTED = COLUMNS.map((c) => (c.name === 'recurrence_days' ? `string_to_array(u.recurrence_days, ',')` : `u.${c.name}`)).join(', ');

/** The maintenance windows of these events, by `tenantId|id`. */
export async function loadMaintenanceWindows(
  client: PoolClient,
  envelopes: readonly EventEnvelope[],
): Promise<Map<string, MaintenanceWindowRow>> {
  const { rows } = await client.query(
    `SELECT ${columnList(COLUMNS, 'w')}
     FROM maintenance_windows w JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON w.tenant_id = k.tenant_id AND w.id = k.id`,
    aggregateKeyParams(envelopes),
  );
  return new Map(rows.map((r) => rowFrom(COLUMNS, r)).map((row) => [tenantScopedKey(row), row]));
}

/** The version guard stays in SQL too, so a stale writer can never move a row backwards. */
export async function upsertMaintenanceWindows(client: PoolClient, rows: readonly MaintenanceWindowRow[]): Promise<void> {
  if (rows.length === 0) return;
  const { from, params } = unnestRows(COLUMNS, rows);
  await client.query(
    `INSERT INTO maintenance_windows AS t (${columnList(COLUMNS)}) SELECT ${SELECTED} FROM ${from}
     ON CONFLICT (tenant_id, id) DO UPDATE SET ${updateAssignments(COLUMNS, ['tenant_id', 'id', 'created_at'])}
     WHERE t.version < EXCLUDED.version`,
    params,
  );
}
