import { Inject, Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase, TenantTransaction } from '../../database/read-models.database';
import { booleanLiteral, integerLiteral, textLiteral, timestampLiteral, uuidLiteral } from '../../database/sql-literals';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { READ_API_SETTINGS, ReadApiSettings } from '../../read-api.settings';
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

const SELECT = {
  id: true,
  name: true,
  url: true,
  checkInterval: true,
  isActive: true,
  status: true,
  lastCheckedAt: true,
  lastResponseTimeMs: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** The same columns for the single-round-trip path, under the names of MonitorRow. */
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

@Injectable()
export class MonitorsRepository {
  constructor(
    private readonly database: ReadModelsDatabase,
    @Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings,
  ) {}

  /** Monitors in (created_at, id) order: monitors_tenant_created_idx. */
  async list(context: ReadContext, query: ListMonitorsQuery): Promise<MonitorPage> {
    const after = decodeCursor('monitors', query.cursor);
    const rows = this.settings.hotPathDriver === 'pg' ? await this.listInOneRoundTrip(context, query, after) : await this.database.transaction(context, (tx) =>
      tx.monitor.findMany({
        select: SELECT,
        where: {
          tenantId: context.tenantId,
          deletedAt: null,
          status: query.status,
          isActive: query.active,
          ...(query.q !== undefined && { name: { contains: likeEscape(query.q), mode: 'insensitive' } }),
          ...(after && { OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] }),
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: query.limit + 1,
      }),
    );
    return toPage(rows, query.limit, 'monitors', (row): TimeIdKey => ({ at: row.createdAt, id: row.id }), toView);
  }

  /** The same query as the Prisma one above, as one statement for singleRoundTrip. */
  private listInOneRoundTrip(context: ReadContext, query: ListMonitorsQuery, after: TimeIdKey | undefined): Promise<MonitorRow[]> {
    const conditions = [`tenant_id = ${uuidLiteral(context.tenantId)}`, 'deleted_at IS NULL'];
    if (query.status !== undefined) conditions.push(`status = ${textLiteral(query.status)}`);
    if (query.active !== undefined) conditions.push(`is_active = ${booleanLiteral(query.active)}`);
    if (query.q !== undefined) conditions.push(`name ILIKE ${textLiteral(`%${likeEscape(query.q)}%`)}`);
    if (after) conditions.push(`(created_at, id) > (${timestampLiteral(after.at)}, ${uuidLiteral(after.id)})`);
    return this.database.singleRoundTrip<MonitorRow>(
      context,
      `SELECT ${SELECT_SQL} FROM monitors WHERE ${conditions.join(' AND ')} ORDER BY created_at, id LIMIT ${integerLiteral(query.limit + 1)}`,
    );
  }

  /** The hottest read of the API; see ReadApiSettings.hotPathDriver and the benchmark. */
  async find(context: ReadContext, id: string): Promise<MonitorView | null> {
    if (this.settings.hotPathDriver === 'pg') {
      const rows = await this.database.singleRoundTrip<MonitorRow>(
        context,
        `SELECT ${SELECT_SQL} FROM monitors
         WHERE tenant_id = ${uuidLiteral(context.tenantId)} AND id = ${uuidLiteral(id)} AND deleted_at IS NULL`,
      );
      return rows[0] ? toView(rows[0]) : null;
    }
    const row = await this.database.transaction(context, (tx) =>
      tx.monitor.findFirst({ select: SELECT, where: { tenantId: context.tenantId, id, deletedAt: null } }),
    );
    return row ? toView(row) : null;
  }
}

/** Inside a tenant transaction: whether the monitor exists for this tenant and is not deleted. */
export async function monitorExists(tx: TenantTransaction, tenantId: string, monitorId: string): Promise<boolean> {
  const row = await tx.monitor.findFirst({ select: { id: true }, where: { tenantId, id: monitorId, deletedAt: null } });
  return row !== null;
}
