import { Inject, Injectable } from '@nestjs/common';
import type { MaintenanceWindow } from '@vinsight/domain';
import { maintenanceWindowsAt } from '@vinsight/domain';
import { CLOCK, Clock } from '@vinsight/runtime';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase, TenantTransaction } from '../../database/read-models.database';
import { booleanLiteral, integerLiteral, textLiteral, timestampLiteral, uuidLiteral } from '../../database/sql-literals';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import {
  MAINTENANCE_WINDOW_JSON_SQL,
  MaintenanceWindowJson,
  maintenanceWindowFromJson,
} from '../maintenance-windows/maintenance-windows.repository';
import { ListMonitorsQuery, MonitorPage, MonitorView } from './monitors.views';

interface MonitorRow {
  id: string;
  name: string;
  url: string;
  checkInterval: number;
  isActive: boolean;
  status: string;
  lastCheckedAt: Date | null;
  lastResponseTimeMs: number | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** The tenant's windows in force at the statement's `now`, the same on every row. */
  maintenanceWindows: MaintenanceWindowJson[] | null;
}

/** The columns of MonitorRow. */
const SELECT_SQL = `id, name, url, check_interval AS "checkInterval", is_active AS "isActive", status,
  last_checked_at AS "lastCheckedAt", last_response_time_ms AS "lastResponseTimeMs", version,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * The tenant's windows neither cancelled nor ended that have begun at `now`: an uncorrelated
 * subquery, run once per statement (at most 100 such windows per tenant, by the processor's limit).
 * Whether one holds a monitor now (its recurrence, its time zone) is computed by the domain.
 */
const windowsInForceSql = (tenantId: string, now: Date) => `(SELECT json_agg(${MAINTENANCE_WINDOW_JSON_SQL}) FROM maintenance_windows w
  WHERE w.tenant_id = ${uuidLiteral(tenantId)} AND w.cancelled_at IS NULL AND w.starts_at <= ${timestampLiteral(now)}
    AND (w.ends_at IS NULL OR w.ends_at > ${timestampLiteral(now)})) AS "maintenanceWindows"`;

function toView(row: MonitorRow, windows: readonly MaintenanceWindow[], now: Date): MonitorView {
  const holding = windows.length === 0 ? [] : maintenanceWindowsAt(windows, row.id, now);
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    checkInterval: row.checkInterval,
    isActive: row.isActive,
    status: row.status,
    lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null,
    lastResponseTimeMs: row.lastResponseTimeMs,
    inMaintenance: holding.length > 0,
    maintenanceWindowId: holding[0]?.id ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** LIKE's wildcards in a user's search text match themselves. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The hottest reads of the API, each one statement sent with the tenant scope in one round trip
 * (ReadModelsDatabase.singleRoundTrip): measured against Prisma's interactive transaction by
 * `npm run bench:api`, which costs three more round trips and several times the CPU.
 */
@Injectable()
export class MonitorsRepository {
  constructor(
    private readonly database: ReadModelsDatabase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Monitors in (created_at, id) order: monitors_tenant_created_idx. */
  async list(context: ReadContext, query: ListMonitorsQuery): Promise<MonitorPage> {
    const after = decodeCursor('monitors', query.cursor);
    const conditions = [`tenant_id = ${uuidLiteral(context.tenantId)}`, 'deleted_at IS NULL'];
    if (query.status !== undefined) conditions.push(`status = ${textLiteral(query.status)}`);
    if (query.active !== undefined) conditions.push(`is_active = ${booleanLiteral(query.active)}`);
    if (query.q !== undefined) conditions.push(`name ILIKE ${textLiteral(`%${likeEscape(query.q)}%`)}`);
    if (after) conditions.push(`(created_at, id) > (${timestampLiteral(after.at)}, ${uuidLiteral(after.id)})`);
    const now = this.clock.now();
    const rows = await this.database.singleRoundTrip<MonitorRow>(
      context,
      `SELECT ${SELECT_SQL}, ${windowsInForceSql(context.tenantId, now)} FROM monitors
       WHERE ${conditions.join(' AND ')} ORDER BY created_at, id LIMIT ${integerLiteral(query.limit + 1)}`,
    );
    const windows = (rows[0]?.maintenanceWindows ?? []).map(maintenanceWindowFromJson);
    return toPage(
      rows,
      query.limit,
      'monitors',
      (row): TimeIdKey => ({ at: row.createdAt, id: row.id }),
      (row) => toView(row, windows, now),
    );
  }

  async find(context: ReadContext, id: string): Promise<MonitorView | null> {
    const now = this.clock.now();
    const rows = await this.database.singleRoundTrip<MonitorRow>(
      context,
      `SELECT ${SELECT_SQL}, ${windowsInForceSql(context.tenantId, now)} FROM monitors
       WHERE tenant_id = ${uuidLiteral(context.tenantId)} AND id = ${uuidLiteral(id)} AND deleted_at IS NULL`,
    );
    const row = rows[0];
    return row ? toView(row, (row.maintenanceWindows ?? []).map(maintenanceWindowFromJson), now) : null;
  }
}

/** Inside a tenant transaction: whether the monitor exists for this tenant and is not deleted. */
export async function monitorExists(tx: TenantTransaction, tenantId: string, monitorId: string): Promise<boolean> {
  const row = await tx.monitor.findFirst({ select: { id: true }, where: { tenantId, id: monitorId, deletedAt: null } });
  return row !== null;
}
