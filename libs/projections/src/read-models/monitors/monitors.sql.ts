import type { EventEnvelope } from '@vinsight/contracts';
import type { PoolClient } from 'pg';
import { column, columnList, rowFrom, TableColumn, updateAssignments } from '../../sql/table-columns';
import { UnnestColumn, unnestRows } from '../../sql/unnest';
import { CheckRow } from '../checks/check-row';
import { aggregateKeyParams, tenantScopedKey } from '../aggregate-keys';
import { INCIDENT_COLUMNS } from './incidents.sql';
import { MonitorRow, MonitorState } from './monitors.evolve';

/** The columns of the monitor's definition and status, folded from its lifecycle events. */
const COLUMNS: TableColumn<MonitorRow>[] = [
  column('tenant_id', 'tenantId', 'uuid'),
  column('id', 'id', 'uuid'),
  column('name', 'name', 'text'),
  column('url', 'url', 'text'),
  column('check_interval', 'checkInterval', 'integer'),
  column('is_active', 'isActive', 'boolean'),
  column('status', 'status', 'text'),
  column('status_changed_at', 'statusChangedAt', 'timestamptz'),
  column('version', 'version', 'integer'),
  column('created_at', 'createdAt', 'timestamptz'),
  column('updated_at', 'updatedAt', 'timestamptz'),
  column('deleted_at', 'deletedAt', 'timestamptz'),
];

/** The last-check columns are `last_<column>` of these monitor_checks columns. */
const LAST_CHECK_FIELDS = ['checked_at', 'response_time_ms', 'status_code', 'error_message'] as const;

/** A batch's last check of each monitor, under the monitor_checks column names. */
const LAST_CHECK_COLUMNS: UnnestColumn<CheckRow>[] = [
  { name: 'tenant_id', type: 'uuid', value: (r) => r.tenantId },
  { name: 'monitor_id', type: 'uuid', value: (r) => r.monitorId },
  { name: 'checked_at', type: 'timestamptz', value: (r) => r.checkedAt },
  { name: 'response_time_ms', type: 'integer', value: (r) => r.responseTimeMs },
  { name: 'status_code', type: 'integer', value: (r) => r.statusCode },
  { name: 'error_message', type: 'text', value: (r) => r.errorMessage },
];

/**
 * compareForLastCheck (last-check.ts) in SQL, over the check columns named `<prefix><column>`:
 * the greatest by (checked_at, response time, status code, error message), NULLs lowest.
 */
const lastCheckOrder = (prefix: string): string[] => [
  `${prefix}checked_at`,
  `coalesce(${prefix}response_time_ms, -1)`,
  `coalesce(${prefix}status_code, -1)`,
  `coalesce(${prefix}error_message, '') COLLATE "C"`,
];

/** The monitors of these events with their open incident (at most one per monitor), by `tenantId|id`. */
export async function loadMonitors(client: PoolClient, envelopes: readonly EventEnvelope[]): Promise<Map<string, MonitorState>> {
  const { rows } = await client.query(
    `SELECT ${columnList(COLUMNS, 'm')}, ${columnList(INCIDENT_COLUMNS, 'i', 'incident_')}
     FROM monitors m
     JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id) ON m.tenant_id = k.tenant_id AND m.id = k.id
     LEFT JOIN incidents i ON i.tenant_id = m.tenant_id AND i.monitor_id = m.id AND i.resolved_at IS NULL`,
    aggregateKeyParams(envelopes),
  );
  return new Map(
    rows.map((r) => {
      const monitor = rowFrom(COLUMNS, r);
      const openIncident = r.incident_id === null ? null : rowFrom(INCIDENT_COLUMNS, r, 'incident_');
      return [tenantScopedKey(monitor), { monitor, openIncident, incidents: new Map() }];
    }),
  );
}

/**
 * A monitor created here may already have check results (check-events is another topic): its
 * new row takes the last of them from monitor_checks. Existing rows keep their last-check columns,
 * which updateLastChecks moves, and look up no check: `u.is_new` inside the lateral subquery is a
 * one-time filter that skips its scan of every check partition (as the join's condition it would
 * only discard what the scan found, for every monitor updated). The version guard stays in SQL
 * too, so a stale writer can never move a row backwards.
 */
export async function upsertMonitors(
  client: PoolClient,
  rows: readonly MonitorRow[],
  loaded: ReadonlyMap<string, MonitorState>,
): Promise<void> {
  if (rows.length === 0) return;
  const columns: UnnestColumn<MonitorRow>[] = [
    ...COLUMNS,
    { name: 'is_new', type: 'boolean', value: (r) => !loaded.has(tenantScopedKey(r)) },
  ];
  const { from, params } = unnestRows(columns, rows);
  await client.query(
    `INSERT INTO monitors AS t (${columnList(COLUMNS)}, ${LAST_CHECK_FIELDS.map((f) => `last_${f}`).join(', ')})
     SELECT ${columnList(COLUMNS, 'u')}, ${LAST_CHECK_FIELDS.map((f) => `last.${f}`).join(', ')}
     FROM ${from}
     LEFT JOIN LATERAL (
       SELECT ${LAST_CHECK_FIELDS.map((f) => `c.${f}`).join(', ')}
       FROM monitor_checks c
       WHERE u.is_new AND c.tenant_id = u.tenant_id AND c.monitor_id = u.id
       ORDER BY ${lastCheckOrder('c.')
         .map((key) => `${key} DESC`)
         .join(', ')}
       LIMIT 1
     ) last ON true
     ON CONFLICT (tenant_id, id) DO UPDATE SET ${updateAssignments(COLUMNS, ['tenant_id', 'id', 'created_at'])}
     WHERE t.version < EXCLUDED.version`,
    params,
  );
}

/**
 * Moves each monitor's last check forward to the batch's last one when that is greater (a
 * maximum, so the order of the batches of both topics, and a check delivered again, change
 * nothing). Monitors that do not exist yet are left alone: upsertMonitors fills their row.
 */
export async function updateLastChecks(client: PoolClient, last: readonly CheckRow[]): Promise<void> {
  if (last.length === 0) return;
  const { from, params } = unnestRows(LAST_CHECK_COLUMNS, last);
  await client.query(
    `UPDATE monitors m SET ${LAST_CHECK_FIELDS.map((f) => `last_${f} = u.${f}`).join(', ')}
     FROM ${from}
     WHERE m.tenant_id = u.tenant_id AND m.id = u.monitor_id
       AND (m.last_checked_at IS NULL OR (${lastCheckOrder('u.').join(', ')}) > (${lastCheckOrder('m.last_').join(', ')}))`,
    params,
  );
}
