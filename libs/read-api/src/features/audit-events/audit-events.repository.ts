import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { AuditEventPage, ListAuditEventsQuery } from './audit-events.views';

/**
 * The tenant's event history newest first, in (occurred_at, event_id) order
 * (audit_events_tenant_(type_)occurred_idx). The payload column is not granted to the API role.
 */
@Injectable()
export class AuditEventsRepository {
  constructor(private readonly database: ReadModelsDatabase) {}

  async list(context: ReadContext, query: ListAuditEventsQuery): Promise<AuditEventPage> {
    const before = decodeCursor('audit-events', query.cursor);
    const rows = await this.database.transaction(context, (tx) =>
      tx.auditEvent.findMany({
        select: {
          eventId: true,
          type: true,
          aggregateType: true,
          aggregateId: true,
          version: true,
          occurredAt: true,
          commandId: true,
          correlationId: true,
          issuedBy: true,
        },
        where: {
          tenantId: context.tenantId,
          type: query.type,
          ...(before && { OR: [{ occurredAt: { lt: before.at } }, { occurredAt: before.at, eventId: { lt: before.id } }] }),
        },
        orderBy: [{ occurredAt: 'desc' }, { eventId: 'desc' }],
        take: query.limit + 1,
      }),
    );
    return toPage(
      rows,
      query.limit,
      'audit-events',
      (row): TimeIdKey => ({ at: row.occurredAt, id: row.eventId }),
      (row) => ({ ...row, occurredAt: row.occurredAt.toISOString() }),
    );
  }
}
