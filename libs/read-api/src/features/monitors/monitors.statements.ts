import { integerLiteral, booleanLiteral, textLiteral, timestampLiteral, uuidLiteral } from '../../database/sql-literals';
import { StatementParameters } from '../../database/statement-parameters';
import type { TimeIdKey } from '../../pagination/cursor.codec';
import type { MaintenanceWindowJson } from '../maintenance-windows/maintenance-windows.repository';
import { windowsInForceSql } from '../maintenance-windows/maintenance-windows.sql';
import type { ListMonitorsQuery } from './monitors.views';

/** A monitors row as both statements select it (times as ISO strings: ReadModelsDatabase.prepared). */
export interface MonitorRow {
  id: string;
  name: string;
  url: string;
  checkInterval: number;
  isActive: boolean;
  status: string;
  lastCheckedAt: string | null;
  lastResponseTimeMs: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** The tenant's windows in force at the statement's `now`, the same on every row. */
  maintenanceWindows: MaintenanceWindowJson[] | null;
}

const SELECT_SQL = `id, name, url, check_interval AS "checkInterval", is_active AS "isActive", status,
  last_checked_at AS "lastCheckedAt", last_response_time_ms AS "lastResponseTimeMs", version,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** LIKE's wildcards in a user's search text match themselves. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The two hottest statements of the API after the checks page, PREPAREd once per pooled
 * connection and run in one round trip with the tenant scope (ReadModelsDatabase.prepared):
 * sent as text with literals, Postgres planned them for every request, the maintenance windows'
 * subquery under row-level security most of all, and planning cost more than running them
 * (scripts/bench-api.ts measures the read API's database work per request beside its own).
 * `now` is the instant the windows in force are taken at.
 */
export function monitorByIdStatement(tenantId: string, id: string, now: Date) {
  const parameters = new StatementParameters();
  const tenant = parameters.add('uuid', uuidLiteral(tenantId));
  const at = parameters.add('timestamptz', timestampLiteral(now));
  parameters.where(`tenant_id = ${tenant}`);
  parameters.where(`id = ${parameters.add('uuid', uuidLiteral(id))}`);
  parameters.where('deleted_at IS NULL');
  return parameters.statement(
    'monitor_by_id',
    `SELECT ${SELECT_SQL}, ${windowsInForceSql(tenant, at)} AS "maintenanceWindows" FROM monitors WHERE ${parameters.whereSql}`,
  );
}

/** Monitors in (created_at, id) order after `after` (monitors_tenant_created_idx), `limit + 1` of them. */
export function monitorsPageStatement(
  tenantId: string,
  filter: Omit<ListMonitorsQuery, 'cursor'>,
  after: TimeIdKey | undefined,
  now: Date,
) {
  const parameters = new StatementParameters();
  const tenant = parameters.add('uuid', uuidLiteral(tenantId));
  const at = parameters.add('timestamptz', timestampLiteral(now));
  parameters.where(`tenant_id = ${tenant}`);
  parameters.where('deleted_at IS NULL');
  if (filter.status !== undefined) parameters.filter(1, `status = ${parameters.add('text', textLiteral(filter.status))}`);
  if (filter.active !== undefined) parameters.filter(2, `is_active = ${parameters.add('boolean', booleanLiteral(filter.active))}`);
  if (filter.q !== undefined) parameters.filter(4, `name ILIKE ${parameters.add('text', textLiteral(`%${likeEscape(filter.q)}%`))}`);
  if (after)
    parameters.filter(
      8,
      `(created_at, id) > (${parameters.add('timestamptz', timestampLiteral(after.at))}, ${parameters.add('uuid', uuidLiteral(after.id))})`,
    );
  const limit = parameters.add('int', integerLiteral(filter.limit + 1));
  return parameters.statement(
    'monitors_page',
    `SELECT ${SELECT_SQL}, ${windowsInForceSql(tenant, at)} AS "maintenanceWindows" FROM monitors
     WHERE ${parameters.whereSql} ORDER BY created_at, id LIMIT ${limit}`,
  );
}
