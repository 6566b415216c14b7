import { Controller, Get, Param, Query, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { NotFoundError } from '../../errors/read-api.errors';
import { ReadOperation } from '../../http/api-docs.decorators';
import { EtagInterceptor } from '../../http/etag.interceptor';
import { isUuid } from '../../http/query-params';
import { readApiValidationPipe } from '../../http/validation.pipe';
import { MonitorsRepository } from './monitors.repository';
import { ListMonitorsQuery, MonitorPage, MonitorView } from './monitors.views';

@ApiTags('monitors')
@Controller('v1/monitors')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class MonitorsController {
  constructor(private readonly monitors: MonitorsRepository) {}

  @Get()
  @ApiOperation({ operationId: 'listMonitors', summary: "The tenant's monitors, oldest first" })
  @ReadOperation(MonitorPage)
  list(@Reader() reader: ReadContext, @Query() query: ListMonitorsQuery): Promise<MonitorPage> {
    return this.monitors.list(reader, query);
  }

  @Get(':id')
  @UseInterceptors(EtagInterceptor)
  @ApiOperation({ operationId: 'getMonitor', summary: 'One monitor with its latest check state' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ReadOperation(MonitorView, { notFound: true, etag: true })
  async get(@Reader() reader: ReadContext, @Param('id') id: string): Promise<MonitorView> {
    const monitor = isUuid(id) ? await this.monitors.find(reader, id.toLowerCase()) : null;
    if (!monitor) throw new NotFoundError('monitor');
    return monitor;
  }
}
