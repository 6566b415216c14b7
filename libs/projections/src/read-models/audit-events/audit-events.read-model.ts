import { EVENT_TYPES } from '@vinsight/domain';
import { lifecycleEvents, ReadModel } from '../../engine/read-model';
import { column, columnList, TableColumn } from '../../sql/table-columns';
import { unnestRows } from '../../sql/unnest';
import { AuditEventRow, auditRowOf } from './audit-row';

const COLUMNS: TableColumn<AuditEventRow>[] = [
  column('tenant_id', 'tenantId', 'uuid'),
  column('event_id', 'eventId', 'uuid'),
  column('type', 'type', 'text'),
  column('schema_version', 'schemaVersion', 'integer'),
  column('aggregate_type', 'aggregateType', 'text'),
  column('aggregate_id', 'aggregateId', 'uuid'),
  column('version', 'version', 'integer'),
  column('occurred_at', 'occurredAt', 'timestamptz'),
  column('command_id', 'commandId', 'uuid'),
  column('correlation_id', 'correlationId', 'uuid'),
  column('issued_by', 'issuedBy', 'text'),
  column('payload', 'payload', 'jsonb'),
];

/**
 * `audit_events`: one row per lifecycle event (check results are not audited). Registered last:
 * it sees only the events the read models before it accepted (applied or found applied), never
 * one they refused; an event found applied again finds its row there already.
 */
export const auditEventsReadModel: ReadModel = {
  name: 'audit-events',
  tables: ['audit_events'],
  canHandle: EVENT_TYPES.filter((type) => type !== 'CheckRecorded'),
  async handle(events, context) {
    const { from, params } = unnestRows(
      COLUMNS,
      lifecycleEvents(events).map((e) => auditRowOf(e.envelope)),
    );
    await context.client.query(
      `INSERT INTO audit_events (${columnList(COLUMNS)}) SELECT * FROM ${from} ON CONFLICT (tenant_id, event_id) DO NOTHING`,
      params,
    );
  },
};
