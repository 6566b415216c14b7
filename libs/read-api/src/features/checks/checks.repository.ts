import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { integerLiteral, textLiteral, timestampLiteral, uuidLiteral } from '../../database/sql-literals';
import { StatementParameters } from '../../database/statement-parameters';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { CheckPage, ListChecksQuery } from './checks.views';

/** Times as ISO strings (ReadModelsDatabase.prepared). */
interface CheckRow {
  monitorExists: boolean;
  /** The columns below are null on the one row that says only whether the monitor exists. */
  id: string | null;
  status: string;
  responseTimeMs: number | null;
  statusCode: number | null;
  errorMessage: string | null;
  region: string | null;
  checkedAt: string;
  inMaintenance: boolean;
}

/**
 * A monitor's checks, newest first, in (checked_at, id) order: a backward scan of the primary
 * key (tenant_id, monitor_id, checked_at, id); from/to prune the daily partitions.
 * null: no such monitor for this tenant.
 *
 * A PREPAREd statement per combination of filters, planned once (generic plan) and executed in
 * one round trip (ReadModelsDatabase.prepared): planning it for every call cost more than running
 * it (1.1 ms against 0.3 ms, most of it looking at every daily partition and its indexes), and
 * the generic plan prunes the partitions when it starts (Subplans Removed). It is the read a
 * dashboard makes after each check it records, with the result's consistency token, so it is
 * the API's hottest.
 *
 * One statement: whether the monitor exists, and its page of checks only if it does.
 */
@Injectable()
export class ChecksRepository {
  constructor(private readonly database: ReadModelsDatabase) {}

  async list(context: ReadContext, monitorId: string, query: ListChecksQuery): Promise<CheckPage | null> {
    const before = decodeCursor('checks', query.cursor);
    const { statement, literals } = checksPageStatement(context.tenantId, monitorId, query, before);
    const rows = await this.database.prepared<CheckRow>(context, statement, literals);
    if (!rows[0]?.monitorExists) return null;
    const checks = rows.filter((row) => row.id !== null) as (CheckRow & { id: string })[];
    return toPage(
      checks,
      query.limit,
      'checks',
      (row): TimeIdKey => ({ at: new Date(row.checkedAt), id: row.id }),
      ({ id, status, responseTimeMs, statusCode, errorMessage, region, checkedAt, inMaintenance }) => ({
        id,
        status,
        responseTimeMs,
        statusCode,
        errorMessage,
        region,
        checkedAt,
        inMaintenance,
      }),
    );
  }
}

function checksPageStatement(tenantId: string, monitorId: string, query: ListChecksQuery, before: TimeIdKey | undefined) {
  const parameters = new StatementParameters();
  const tenant = parameters.add('uuid', uuidLiteral(tenantId));
  const monitor = parameters.add('uuid', uuidLiteral(monitorId));
  parameters.where(`tenant_id = ${tenant}`);
  parameters.where(`monitor_id = ${monitor}`);
  if (query.status !== undefined) parameters.filter(1, `status = ${parameters.add('text', textLiteral(query.status))}`);
  if (query.region !== undefined) parameters.filter(2, `region = ${parameters.add('text', textLiteral(query.region))}`);
  if (query.from !== undefined) parameters.filter(4, `checked_at >= ${parameters.add('timestamptz', timestampLiteral(query.from))}`);
  if (query.to !== undefined) parameters.filter(8, `checked_at < ${parameters.add('timestamptz', timestampLiteral(query.to))}`);
  if (before)
    parameters.filter(
      16,
      `(checked_at, id) < (${parameters.add('timestamptz', timestampLiteral(before.at))}, ${parameters.add('uuid', uuidLiteral(before.id))})`,
    );
  const limit = parameters.add('int', integerLiteral(query.limit + 1));
  const text = `SELECT m.monitor_exists AS "monitorExists", c.id, c.status, c.response_time_ms AS "responseTimeMs",
              c.status_code AS "statusCode", c.error_message AS "errorMessage", c.region, c.checked_at AS "checkedAt",
              c.in_maintenance AS "inMaintenance"
       FROM (SELECT EXISTS (SELECT 1 FROM monitors WHERE tenant_id = ${tenant} AND id = ${monitor} AND deleted_at IS NULL)
               AS monitor_exists) m
       LEFT JOIN LATERAL (
         SELECT id, status, response_time_ms, status_code, error_message, region, checked_at, in_maintenance FROM monitor_checks
         WHERE ${parameters.whereSql}
         ORDER BY checked_at DESC, id DESC LIMIT ${limit}
       ) c ON m.monitor_exists
       ORDER BY c.checked_at DESC, c.id DESC`;
  return parameters.statement('checks_page', text, { genericPlan: true });
}
