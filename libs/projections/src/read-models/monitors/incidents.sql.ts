import type { PoolClient } from 'pg';
import { column, columnList, TableColumn } from '../../sql/table-columns';
import { unnestRows } from '../../sql/unnest';
import { IncidentRow } from './monitors.evolve';

export const INCIDENT_COLUMNS: TableColumn<IncidentRow>[] = [
  column('tenant_id', 'tenantId', 'uuid'),
  column('id', 'id', 'uuid'),
  column('monitor_id', 'monitorId', 'uuid'),
  column('started_at', 'startedAt', 'timestamptz'),
  column('resolved_at', 'resolvedAt', 'timestamptz'),
  column('first_error', 'firstError', 'text'),
];

/**
 * Incidents the batch resolved come before the ones it opened (one open incident per monitor);
 * a resolved incident is never changed again.
 */
export async function upsertIncidents(client: PoolClient, rows: readonly IncidentRow[]): Promise<void> {
  if (rows.length === 0) return;
  const ordered = [...rows].sort((a, b) => Number(a.resolvedAt === null) - Number(b.resolvedAt === null));
  const { from, params } = unnestRows(INCIDENT_COLUMNS, ordered);
  await client.query(
    `INSERT INTO incidents AS t (${columnList(INCIDENT_COLUMNS)}) SELECT * FROM ${from}
     ON CONFLICT (tenant_id, id) DO UPDATE SET resolved_at = EXCLUDED.resolved_at
     WHERE t.resolved_at IS NULL`,
    params,
  );
}
