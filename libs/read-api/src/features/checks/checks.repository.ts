import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { integerLiteral, textLiteral, timestampLiteral, uuidLiteral } from '../../database/sql-literals';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { CheckPage, ListChecksQuery } from './checks.views';

interface CheckRow {
  monitorExists: boolean;
  /** The columns below are null on the one row that says only whether the monitor exists. */
  id: string | null;
  status: string;
  responseTimeMs: number | null;
  statusCode: number | null;
  errorMessage: string | null;
  region: string | null;
  checkedAt: Date;
  inMaintenance: boolean;
}

/**
 * A monitor's checks, newest first, in (checked_at, id) order: a backward scan of the primary
 * key (tenant_id, monitor_id, checked_at, id); from/to prune the daily partitions.
 * null: no such monitor for this tenant.
 *
 * One statement in one round trip (ReadModelsDatabase.singleRoundTrip): whether the monitor
 * exists, and its page of checks only if it does. It is the read a dashboard makes after each
 * check it records, with the result's consistency token, so it is the API's hottest.
 */
@Injectable()
export class ChecksRepository {
  constructor(private readonly database: ReadModelsDatabase) {}

  async list(context: ReadContext, monitorId: string, query: ListChecksQuery): Promise<CheckPage | null> {
    const before = decodeCursor('checks', query.cursor);
    const tenant = uuidLiteral(context.tenantId);
    const monitor = uuidLiteral(monitorId);
    const conditions = [`tenant_id = ${tenant}`, `monitor_id = ${monitor}`];
    if (query.status !== undefined) conditions.push(`status = ${textLiteral(query.status)}`);
    if (query.region !== undefined) conditions.push(`region = ${textLiteral(query.region)}`);
    if (query.from !== undefined) conditions.push(`checked_at >= ${timestampLiteral(query.from)}`);
    if (query.to !== undefined) conditions.push(`checked_at < ${timestampLiteral(query.to)}`);
    if (before) conditions.push(`(checked_at, id) < (${timestampLiteral(before.at)}, ${uuidLiteral(before.id)})`);
    const rows = await this.database.singleRoundTrip<CheckRow>(
      context,
      `SELECT m.monitor_exists AS "monitorExists", c.id, c.status, c.response_time_ms AS "responseTimeMs",
              c.status_code AS "statusCode", c.error_message AS "errorMessage", c.region, c.checked_at AS "checkedAt",
              c.in_maintenance AS "inMaintenance"
       FROM (SELECT EXISTS (SELECT 1 FROM monitors WHERE tenant_id = ${tenant} AND id = ${monitor} AND deleted_at IS NULL)
               AS monitor_exists) m
       LEFT JOIN LATERAL (
         SELECT id, status, response_time_ms, status_code, error_message, region, checked_at, in_maintenance FROM monitor_checks
         WHERE ${conditions.join(' AND ')}
         ORDER BY checked_at DESC, id DESC LIMIT ${integerLiteral(query.limit + 1)}
       ) c ON m.monitor_exists
       ORDER BY c.checked_at DESC, c.id DESC`,
    );
    if (!rows[0]?.monitorExists) return null;
    const checks = rows.filter((row) => row.id !== null) as (CheckRow & { id: string })[];
    return toPage(
      checks,
      query.limit,
      'checks',
      (row): TimeIdKey => ({ at: row.checkedAt, id: row.id }),
      ({ id, status, responseTimeMs, statusCode, errorMessage, region, checkedAt, inMaintenance }) => ({
        id,
        status,
        responseTimeMs,
        statusCode,
        errorMessage,
        region,
        checkedAt: checkedAt.toISOString(),
        inMaintenance,
      }),
    );
  }
}
