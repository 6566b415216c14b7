import { Inject, Injectable } from '@nestjs/common';
import type { MaintenanceWindow, Weekday } from '@vinsight/domain';
import { occurrenceAt } from '@vinsight/domain';
import { CLOCK, Clock } from '@vinsight/runtime';
import { Prisma } from '../../../../../prisma/generated/client';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { MaintenanceWindowPage, MaintenanceWindowView } from './maintenance-windows.views';

export interface MaintenanceWindowFilter {
  monitorId?: string;
  active?: boolean;
  limit: number;
  cursor?: string;
}

/** A maintenance_windows row as the read API selects it. */
export interface MaintenanceWindowRow {
  id: string;
  monitorId: string | null;
  title: string | null;
  startsAt: Date;
  endsAt: Date | null;
  recurrenceDays: string[] | null;
  recurrenceStartTime: string | null;
  recurrenceDurationMinutes: number | null;
  recurrenceTimezone: string | null;
  cancelledAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export const MAINTENANCE_WINDOW_COLUMNS = Prisma.raw(`w.id, w.monitor_id AS "monitorId", w.title, w.starts_at AS "startsAt",
  w.ends_at AS "endsAt", w.recurrence_days AS "recurrenceDays", w.recurrence_start_time AS "recurrenceStartTime",
  w.recurrence_duration_minutes AS "recurrenceDurationMinutes", w.recurrence_timezone AS "recurrenceTimezone",
  w.cancelled_at AS "cancelledAt", w.version, w.created_at AS "createdAt", w.updated_at AS "updatedAt"`);

/**
 * The window as the domain decides with it: a cancelled window held its monitors until it was
 * cancelled, so it is that window with its end moved to the cancellation.
 */
export function asDomainWindow(row: Omit<MaintenanceWindowRow, 'createdAt' | 'updatedAt'>): MaintenanceWindow {
  const end = row.cancelledAt !== null && (row.endsAt === null || row.cancelledAt < row.endsAt) ? row.cancelledAt : row.endsAt;
  return {
    lifecycle: 'scheduled',
    id: row.id,
    monitorId: row.monitorId,
    title: row.title,
    startsAt: row.startsAt,
    endsAt: end !== null && end <= row.startsAt ? row.startsAt : end,
    recurrence:
      row.recurrenceDays === null
        ? null
        : {
            daysOfWeek: row.recurrenceDays as Weekday[],
            startTime: row.recurrenceStartTime!,
            durationMinutes: row.recurrenceDurationMinutes!,
            timezone: row.recurrenceTimezone!,
          },
    version: row.version,
  };
}

/** A maintenance_windows row as MAINTENANCE_WINDOW_JSON_SQL (maintenance-windows.sql.ts) writes it (times as text). */
export type MaintenanceWindowJson = {
  [K in Exclude<keyof MaintenanceWindowRow, 'createdAt' | 'updatedAt'>]: MaintenanceWindowRow[K] extends Date | null
    ? string | null
    : MaintenanceWindowRow[K];
};

export const maintenanceWindowFromJson = (json: MaintenanceWindowJson): MaintenanceWindow =>
  asDomainWindow({
    ...json,
    startsAt: new Date(json.startsAt!),
    endsAt: json.endsAt === null ? null : new Date(json.endsAt),
    cancelledAt: json.cancelledAt === null ? null : new Date(json.cancelledAt),
  });

/** Windows newest start first, in (starts_at, id) order: maintenance_windows_starts_at_idx. */
@Injectable()
export class MaintenanceWindowsRepository {
  constructor(
    private readonly database: ReadModelsDatabase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(context: ReadContext, filter: MaintenanceWindowFilter): Promise<MaintenanceWindowPage> {
    const before = decodeCursor('maintenance-windows', filter.cursor);
    const now = this.clock.now();
    const rows = await this.database.transaction(context, (tx) =>
      tx.$queryRaw<MaintenanceWindowRow[]>(listSql(context.tenantId, filter, before, now)),
    );
    return toPage(
      rows,
      filter.limit,
      'maintenance-windows',
      (row): TimeIdKey => ({ at: row.startsAt, id: row.id }),
      (row) => toView(row, now),
    );
  }
}

function toView(row: MaintenanceWindowRow, now: Date): MaintenanceWindowView {
  const window = asDomainWindow(row);
  const current = occurrenceAt(window, now);
  return {
    id: row.id,
    monitorId: row.monitorId,
    title: row.title,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt?.toISOString() ?? null,
    recurrence: window.recurrence === null ? null : { ...window.recurrence, daysOfWeek: [...window.recurrence.daysOfWeek] },
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    active: row.cancelledAt === null && (row.endsAt === null || row.endsAt > now),
    currentOccurrence: current === null ? null : { start: current.start.toISOString(), end: current.end.toISOString() },
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function listSql(tenantId: string, filter: MaintenanceWindowFilter, before: TimeIdKey | undefined, now: Date): Prisma.Sql {
  const conditions = [Prisma.sql`w.tenant_id = ${tenantId}::uuid`];
  if (filter.monitorId !== undefined) {
    conditions.push(Prisma.sql`(w.monitor_id = ${filter.monitorId}::uuid OR w.monitor_id IS NULL)`);
  }
  if (filter.active !== undefined) {
    const active = Prisma.sql`(w.cancelled_at IS NULL AND (w.ends_at IS NULL OR w.ends_at > ${now.toISOString()}::timestamptz))`;
    conditions.push(filter.active ? active : Prisma.sql`NOT ${active}`);
  }
  if (before) {
    const at = before.at.toISOString();
    conditions.push(Prisma.sql`w.starts_at <= ${at}::timestamptz AND (w.starts_at < ${at}::timestamptz OR w.id < ${before.id}::uuid)`);
  }
  return Prisma.sql`
    SELECT ${MAINTENANCE_WINDOW_COLUMNS}
      FROM maintenance_windows w
     WHERE ${Prisma.join(conditions, ' AND ')}
     ORDER BY w.starts_at DESC, w.id DESC
     LIMIT ${filter.limit + 1}`;
}
