import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { monitorExists } from '../monitors/monitors.repository';
import { CheckPage, ListChecksQuery } from './checks.views';

/**
 * A monitor's checks, newest first, in (checked_at, id) order: a backward scan of the primary
 * key (tenant_id, monitor_id, checked_at, id); from/to prune the daily partitions.
 * null: no such monitor for this tenant.
 */
@Injectable()
export class ChecksRepository {
  constructor(private readonly database: ReadModelsDatabase) {}

  async list(context: ReadContext, monitorId: string, query: ListChecksQuery): Promise<CheckPage | null> {
    const before = decodeCursor('checks', query.cursor);
    const rows = await this.database.transaction(context, async (tx) => {
      if (!(await monitorExists(tx, context.tenantId, monitorId))) return null;
      return tx.monitorCheck.findMany({
        select: { id: true, status: true, responseTimeMs: true, statusCode: true, errorMessage: true, region: true, checkedAt: true },
        where: {
          tenantId: context.tenantId,
          monitorId,
          status: query.status,
          region: query.region,
          checkedAt: { gte: query.from, lt: query.to },
          ...(before && { OR: [{ checkedAt: { lt: before.at } }, { checkedAt: before.at, id: { lt: before.id } }] }),
        },
        orderBy: [{ checkedAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
    });
    if (rows === null) return null;
    return toPage(
      rows,
      query.limit,
      'checks',
      (row): TimeIdKey => ({ at: row.checkedAt, id: row.id }),
      (row) => ({ ...row, checkedAt: row.checkedAt.toISOString() }),
    );
  }
}
