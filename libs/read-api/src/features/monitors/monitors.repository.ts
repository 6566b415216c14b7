import { Inject, Injectable } from '@nestjs/common';
import type { MaintenanceWindow } from '@vinsight/domain';
import { maintenanceWindowsAt } from '@vinsight/domain';
import { CLOCK, Clock } from '@vinsight/runtime';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase, TenantTransaction } from '../../database/read-models.database';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { maintenanceWindowFromJson } from '../maintenance-windows/maintenance-windows.repository';
import { MonitorRow, monitorByIdStatement, monitorsPageStatement } from './monitors.statements';
import { ListMonitorsQuery, MonitorPage, MonitorView } from './monitors.views';

function toView(row: MonitorRow, windows: readonly MaintenanceWindow[], now: Date): MonitorView {
  const holding = windows.length === 0 ? [] : maintenanceWindowsAt(windows, row.id, now);
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    checkInterval: row.checkInterval,
    isActive: row.isActive,
    status: row.status,
    lastCheckedAt: row.lastCheckedAt,
    lastResponseTimeMs: row.lastResponseTimeMs,
    inMaintenance: holding.length > 0,
    maintenanceWindowId: holding[0]?.id ?? null,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * The hottest reads of the API, each one prepared statement executed with the tenant scope in
 * one round trip (monitors.statements.ts): measured against Prisma's interactive transaction by
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
    const now = this.clock.now();
    const { statement, literals } = monitorsPageStatement(context.tenantId, query, decodeCursor('monitors', query.cursor), now);
    const rows = await this.database.prepared<MonitorRow>(context, statement, literals);
    const windows = (rows[0]?.maintenanceWindows ?? []).map(maintenanceWindowFromJson);
    return toPage(
      rows,
      query.limit,
      'monitors',
      (row): TimeIdKey => ({ at: new Date(row.createdAt), id: row.id }),
      (row) => toView(row, windows, now),
    );
  }

  async find(context: ReadContext, id: string): Promise<MonitorView | null> {
    const now = this.clock.now();
    const { statement, literals } = monitorByIdStatement(context.tenantId, id, now);
    const [row] = await this.database.prepared<MonitorRow>(context, statement, literals);
    return row ? toView(row, (row.maintenanceWindows ?? []).map(maintenanceWindowFromJson), now) : null;
  }
}

/** Inside a tenant transaction: whether the monitor exists for this tenant and is not deleted. */
export async function monitorExists(tx: TenantTransaction, tenantId: string, monitorId: string): Promise<boolean> {
  const row = await tx.monitor.findFirst({ select: { id: true }, where: { tenantId, id: monitorId, deletedAt: null } });
  return row !== null;
}
