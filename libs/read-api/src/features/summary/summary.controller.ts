import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { ReadOperation } from '../../http/api-docs.decorators';
import { SummaryRepository } from './summary.repository';
import { SummaryView } from './summary.views';

@ApiTags('summary')
@Controller('v1/summary')
@UseGuards(ReadApiGuard)
export class SummaryController {
  constructor(private readonly summaries: SummaryRepository) {}

  @Get()
  @ApiOperation({ operationId: 'getSummary', summary: 'Monitor counts by status and open incidents, for a dashboard header' })
  @ReadOperation(SummaryView)
  summary(@Reader() reader: ReadContext): Promise<SummaryView> {
    return this.summaries.summary(reader);
  }
}
