import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock } from '@vinsight/runtime';
import { Prisma } from '../../../../../prisma/generated/client';
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

/**
 * Incidents newest first, in (started_at, id) order: incidents_tenant_(monitor_)started_idx.
 * Soft-deleted rows are not served (openapi.yaml), and an incident belongs to its monitor: the
 * semi-join drops the incidents of deleted monitors with one primary-key probe of monitors
 * (tenant_id, id) per incident read, so the scan stays on the incidents index and stops at the
 * page size. The cursor bound is written as `started_at <= at AND (...)` so that it is also an
 * index condition, not only a filter.
 */
@Injectable()
export class IncidentsRepository {
  constructor(
    private readonly database: ReadModelsDatabase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** With `requireMonitor`, null when the monitor does not exist for this tenant. */
  async list(context: ReadContext, filter: IncidentFilter, requireMonitor: boolean): Promise<IncidentPage | null> {
    const before = decodeCursor('incidents', filter.cursor);
    const rows = await this.database.transaction(context, async (tx) => {
      if (requireMonitor && !(await monitorExists(tx, context.tenantId, filter.monitorId!))) return null;
      return tx.$queryRaw<IncidentRow[]>(listIncidentsSql(context.tenantId, filter, before));
    });
    if (rows === null) return null;
    const now = this.clock.now();
    return toPage(
      rows,
      filter.limit,
      'incidents',
      (row): TimeIdKey => ({ at: row.startedAt, id: row.id }),
      (row) => this.toView(row, now),
    );
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

function listIncidentsSql(tenantId: string, filter: IncidentFilter, before: TimeIdKey | undefined): Prisma.Sql {
  const conditions = [Prisma.sql`i.tenant_id = ${tenantId}::uuid`];
  if (filter.monitorId !== undefined) conditions.push(Prisma.sql`i.monitor_id = ${filter.monitorId}::uuid`);
  if (filter.open !== undefined) conditions.push(filter.open ? Prisma.sql`i.resolved_at IS NULL` : Prisma.sql`i.resolved_at IS NOT NULL`);
  if (filter.from) conditions.push(Prisma.sql`i.started_at >= ${filter.from.toISOString()}::timestamptz`);
  if (filter.to) conditions.push(Prisma.sql`i.started_at < ${filter.to.toISOString()}::timestamptz`);
  if (before) {
    const at = before.at.toISOString();
    conditions.push(Prisma.sql`i.started_at <= ${at}::timestamptz AND (i.started_at < ${at}::timestamptz OR i.id < ${before.id}::uuid)`);
  }
  return Prisma.sql`
    SELECT i.id, i.monitor_id AS "monitorId", i.started_at AS "startedAt", i.resolved_at AS "resolvedAt", i.first_error AS "firstError"
      FROM incidents i
     WHERE ${Prisma.join(conditions, ' AND ')}
       AND EXISTS (SELECT 1 FROM monitors m WHERE m.tenant_id = i.tenant_id AND m.id = i.monitor_id AND m.deleted_at IS NULL)
     ORDER BY i.started_at DESC, i.id DESC
     LIMIT ${filter.limit + 1}`;
}
