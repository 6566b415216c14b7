import { Controller, Get, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { ReadOperation } from '../../http/api-docs.decorators';
import { readApiValidationPipe } from '../../http/validation.pipe';
import { AuditEventsRepository } from './audit-events.repository';
import { AuditEventPage, ListAuditEventsQuery } from './audit-events.views';

@ApiTags('audit-events')
@Controller('v1/audit-events')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class AuditEventsController {
  constructor(private readonly auditEvents: AuditEventsRepository) {}

  @Get()
  @ApiOperation({ operationId: 'listAuditEvents', summary: "The tenant's event history, newest first" })
  @ReadOperation(AuditEventPage)
  list(@Reader() reader: ReadContext, @Query() query: ListAuditEventsQuery): Promise<AuditEventPage> {
    return this.auditEvents.list(reader, query);
  }
}
