import { Injectable } from '@nestjs/common';
import { Clock } from '../../clock';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { monitorExists } from '../monitors/monitors.repository';
import { IncidentPage, IncidentView } from './incidents.views';

export interface IncidentFilter {
  monitorId?: string;
  open?: boolean;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

interface IncidentRow {
  id: string;
  monitorId: string;
  startedAt: Date;
  resolvedAt: Date | null;
  firstError: string | null;
}

/** Incidents newest first, in (started_at, id) order: incidents_tenant_(monitor_)started_idx. */
@Injectable()
export class IncidentsRepository {
  constructor(
    private readonly database: ReadModelsDatabase,
    private readonly clock: Clock,
  ) {}

  /** With `requireMonitor`, null when the monitor does not exist for this tenant. */
  async list(context: ReadContext, filter: IncidentFilter, requireMonitor: boolean): Promise<IncidentPage | null> {
    const before = decodeCursor('incidents', filter.cursor);
    const rows = await this.database.transaction(context, async (tx) => {
      if (requireMonitor && !(await monitorExists(tx, context.tenantId, filter.monitorId!))) return null;
      return tx.incident.findMany({
        select: { id: true, monitorId: true, startedAt: true, resolvedAt: true, firstError: true },
        where: {
          tenantId: context.tenantId,
          monitorId: filter.monitorId,
          ...(filter.open !== undefined && { resolvedAt: filter.open ? null : { not: null } }),
          startedAt: { gte: filter.from, lt: filter.to },
          ...(before && { OR: [{ startedAt: { lt: before.at } }, { startedAt: before.at, id: { lt: before.id } }] }),
        },
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: filter.limit + 1,
      });
    });
    if (rows === null) return null;
    const now = this.clock.now();
    return toPage(rows, filter.limit, 'incidents', (row): TimeIdKey => ({ at: row.startedAt, id: row.id }), (row) => this.toView(row, now));
  }

  private toView(row: IncidentRow, now: Date): IncidentView {
    const end = row.resolvedAt ?? now;
    return {
      id: row.id,
      monitorId: row.monitorId,
      startedAt: row.startedAt.toISOString(),
      resolvedAt: row.resolvedAt?.toISOString() ?? null,
      durationSeconds: Math.max(0, (end.getTime() - row.startedAt.getTime()) / 1000),
      firstError: row.firstError,
    };
  }
}
