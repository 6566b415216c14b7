import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { SummaryView } from './summary.views';

/**
 * Counts by status (monitors_tenant_status_idx) and open incidents (incidents_open_monitor_key),
 * the latter only of monitors not deleted: the projector resolves a monitor's open incident when
 * it is deleted, and the semi-join keeps the count right for rows written before it did.
 */
@Injectable()
export class SummaryRepository {
  constructor(private readonly database: ReadModelsDatabase) {}

  async summary(context: ReadContext): Promise<SummaryView> {
    const [groups, openIncidents] = await this.database.transaction(context, async (tx) => [
      await tx.monitor.groupBy({
        by: ['status', 'isActive'],
        where: { tenantId: context.tenantId, deletedAt: null },
        _count: { _all: true },
      }),
      await tx.$queryRaw<{ count: number }[]>`
        SELECT count(*)::int AS count FROM incidents i
         WHERE i.tenant_id = ${context.tenantId}::uuid AND i.resolved_at IS NULL
           AND EXISTS (SELECT 1 FROM monitors m WHERE m.tenant_id = i.tenant_id AND m.id = i.monitor_id AND m.deleted_at IS NULL)`,
    ]);
    const monitors = { total: 0, up: 0, down: 0, unknown: 0, paused: 0 };
    for (const group of groups) {
      const count = group._count._all;
      monitors.total += count;
      if (!group.isActive) monitors.paused += count;
      else if (group.status === 'up' || group.status === 'down' || group.status === 'unknown') monitors[group.status] += count;
    }
    return { monitors, openIncidents: Number(openIncidents[0].count) };
  }
}
