import { Controller, Get, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { ReadOperation } from '../../http/api-docs.decorators';
import { readApiValidationPipe } from '../../http/validation.pipe';
import { MaintenanceWindowsRepository } from './maintenance-windows.repository';
import { ListMaintenanceWindowsQuery, MaintenanceWindowPage } from './maintenance-windows.views';

@ApiTags('maintenance')
@Controller('v1')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class MaintenanceWindowsController {
  constructor(private readonly windows: MaintenanceWindowsRepository) {}

  @Get('maintenance-windows')
  @ApiOperation({ operationId: 'listMaintenanceWindows', summary: "The tenant's maintenance windows, latest start first" })
  @ReadOperation(MaintenanceWindowPage)
  list(@Reader() reader: ReadContext, @Query() query: ListMaintenanceWindowsQuery): Promise<MaintenanceWindowPage> {
    return this.windows.list(reader, query);
  }
}
