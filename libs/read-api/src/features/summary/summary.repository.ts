import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { SummaryView } from './summary.views';

/** Counts by status (monitors_tenant_status_idx) and open incidents (incidents_open_monitor_key). */
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
      await tx.incident.count({ where: { tenantId: context.tenantId, resolvedAt: null } }),
    ]);
    const monitors = { total: 0, up: 0, down: 0, unknown: 0, paused: 0 };
    for (const group of groups) {
      const count = group._count._all;
      monitors.total += count;
      if (!group.isActive) monitors.paused += count;
      else if (group.status === 'up' || group.status === 'down' || group.status === 'unknown') monitors[group.status] += count;
    }
    return { monitors, openIncidents };
  }
}
