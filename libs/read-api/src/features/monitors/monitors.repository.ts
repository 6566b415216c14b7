import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase, TenantTransaction } from '../../database/read-models.database';
import { booleanLiteral, integerLiteral, textLiteral, timestampLiteral, uuidLiteral } from '../../database/sql-literals';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
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
}

/** The columns of MonitorRow. */
const SELECT_SQL = `id, name, url, check_interval AS "checkInterval", is_active AS "isActive", status,
  last_checked_at AS "lastCheckedAt", last_response_time_ms AS "lastResponseTimeMs", version,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

function toView(row: MonitorRow): MonitorView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    checkInterval: row.checkInterval,
    isActive: row.isActive,
    status: row.status,
    lastCheckedAt: row.lastCheckedAt?.toISOString() ?? null,
    lastResponseTimeMs: row.lastResponseTimeMs,
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
  constructor(private readonly database: ReadModelsDatabase) {}

  /** Monitors in (created_at, id) order: monitors_tenant_created_idx. */
  async list(context: ReadContext, query: ListMonitorsQuery): Promise<MonitorPage> {
    const after = decodeCursor('monitors', query.cursor);
    const conditions = [`tenant_id = ${uuidLiteral(context.tenantId)}`, 'deleted_at IS NULL'];
    if (query.status !== undefined) conditions.push(`status = ${textLiteral(query.status)}`);
    if (query.active !== undefined) conditions.push(`is_active = ${booleanLiteral(query.active)}`);
    if (query.q !== undefined) conditions.push(`name ILIKE ${textLiteral(`%${likeEscape(query.q)}%`)}`);
    if (after) conditions.push(`(created_at, id) > (${timestampLiteral(after.at)}, ${uuidLiteral(after.id)})`);
    const rows = await this.database.singleRoundTrip<MonitorRow>(
      context,
      `SELECT ${SELECT_SQL} FROM monitors WHERE ${conditions.join(' AND ')} ORDER BY created_at, id LIMIT ${integerLiteral(query.limit + 1)}`,
    );
    return toPage(rows, query.limit, 'monitors', (row): TimeIdKey => ({ at: row.createdAt, id: row.id }), toView);
  }

  async find(context: ReadContext, id: string): Promise<MonitorView | null> {
    const rows = await this.database.singleRoundTrip<MonitorRow>(
      context,
      `SELECT ${SELECT_SQL} FROM monitors
       WHERE tenant_id = ${uuidLiteral(context.tenantId)} AND id = ${uuidLiteral(id)} AND deleted_at IS NULL`,
    );
    return rows[0] ? toView(rows[0]) : null;
  }
}

/** Inside a tenant transaction: whether the monitor exists for this tenant and is not deleted. */
export async function monitorExists(tx: TenantTransaction, tenantId: string, monitorId: string): Promise<boolean> {
  const row = await tx.monitor.findFirst({ select: { id: true }, where: { tenantId, id: monitorId, deletedAt: null } });
  return row !== null;
}
