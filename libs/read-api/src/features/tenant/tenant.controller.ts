import { Controller, Get, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { NotFoundError } from '../../errors/read-api.errors';
import { ReadOperation } from '../../http/api-docs.decorators';
import { EtagInterceptor } from '../../http/etag.interceptor';
import { TenantRepository } from './tenant.repository';
import { TenantView } from './tenant.views';

@ApiTags('tenant')
@Controller('v1/tenant')
@UseGuards(ReadApiGuard)
export class TenantController {
  constructor(private readonly tenants: TenantRepository) {}

  @Get()
  @UseInterceptors(EtagInterceptor)
  @ApiOperation({ operationId: 'getTenant', summary: 'The tenant of the credential' })
  @ReadOperation(TenantView, { notFound: true, etag: true })
  async get(@Reader() reader: ReadContext): Promise<TenantView> {
    const tenant = await this.tenants.current(reader);
    if (!tenant) throw new NotFoundError('tenant');
    return tenant;
  }
}
