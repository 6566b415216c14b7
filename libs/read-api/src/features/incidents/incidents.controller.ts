import { Controller, Get, Param, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { NotFoundError, ValidationFailedError } from '../../errors/read-api.errors';
import { ReadOperation } from '../../http/api-docs.decorators';
import { isUuid } from '../../http/query-params';
import { readApiValidationPipe } from '../../http/validation.pipe';
import { IncidentsRepository } from './incidents.repository';
import { IncidentPage, ListIncidentsQuery, ListMonitorIncidentsQuery } from './incidents.views';

@ApiTags('incidents')
@Controller('v1')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class IncidentsController {
  constructor(private readonly incidents: IncidentsRepository) {}

  @Get('monitors/:id/incidents')
  @ApiOperation({ operationId: 'listMonitorIncidents', summary: "A monitor's incidents, newest first" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ReadOperation(IncidentPage, { notFound: true })
  async forMonitor(
    @Reader() reader: ReadContext,
    @Param('id') id: string,
    @Query() query: ListMonitorIncidentsQuery,
  ): Promise<IncidentPage> {
    const page = isUuid(id) ? await this.incidents.list(reader, { ...query, monitorId: id.toLowerCase() }, true) : null;
    if (!page) throw new NotFoundError('monitor');
    return page;
  }

  @Get('incidents')
  @ApiOperation({ operationId: 'listIncidents', summary: "The tenant's incidents across monitors, newest first" })
  @ReadOperation(IncidentPage)
  async list(@Reader() reader: ReadContext, @Query() query: ListIncidentsQuery): Promise<IncidentPage> {
    if (query.from && query.to && query.from >= query.to) {
      throw new ValidationFailedError([{ field: 'to', message: 'must be after from' }]);
    }
    return (await this.incidents.list(reader, query, false))!;
  }
}
