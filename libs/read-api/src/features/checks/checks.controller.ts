import { Controller, Get, Param, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { NotFoundError, ValidationFailedError } from '../../errors/read-api.errors';
import { ReadOperation } from '../../http/api-docs.decorators';
import { isUuid } from '../../http/query-params';
import { readApiValidationPipe } from '../../http/validation.pipe';
import { ChecksRepository } from './checks.repository';
import { CheckPage, ListChecksQuery } from './checks.views';

@ApiTags('monitors')
@Controller('v1/monitors/:id/checks')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class ChecksController {
  constructor(private readonly checks: ChecksRepository) {}

  @Get()
  @ApiOperation({ operationId: 'listMonitorChecks', summary: "A monitor's check results, newest first" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ReadOperation(CheckPage, { notFound: true })
  async list(@Reader() reader: ReadContext, @Param('id') id: string, @Query() query: ListChecksQuery): Promise<CheckPage> {
    if (query.from && query.to && query.from >= query.to) {
      throw new ValidationFailedError([{ field: 'to', message: 'must be after from' }]);
    }
    const page = isUuid(id) ? await this.checks.list(reader, id.toLowerCase(), query) : null;
    if (!page) throw new NotFoundError('monitor');
    return page;
  }
}
