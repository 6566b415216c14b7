import { Controller, Get, Param, Query, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReadApiGuard, Reader } from '../../auth/read-api.guard';
import { ReadContext } from '../../database/read-context';
import { NotFoundError } from '../../errors/read-api.errors';
import { ReadOperation } from '../../http/api-docs.decorators';
import { EtagInterceptor } from '../../http/etag.interceptor';
import { isUuid } from '../../http/query-params';
import { readApiValidationPipe } from '../../http/validation.pipe';
import { UsersRepository } from './users.repository';
import { ListUsersQuery, UserPage, UserView } from './users.views';

@ApiTags('users')
@Controller('v1/users')
@UseGuards(ReadApiGuard)
@UsePipes(readApiValidationPipe())
export class UsersController {
  constructor(private readonly users: UsersRepository) {}

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: "The tenant's users, oldest first" })
  @ReadOperation(UserPage)
  list(@Reader() reader: ReadContext, @Query() query: ListUsersQuery): Promise<UserPage> {
    return this.users.list(reader, query);
  }

  @Get(':id')
  @UseInterceptors(EtagInterceptor)
  @ApiOperation({ operationId: 'getUser', summary: 'One user' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ReadOperation(UserView, { notFound: true, etag: true })
  async get(@Reader() reader: ReadContext, @Param('id') id: string): Promise<UserView> {
    const user = isUuid(id) ? await this.users.find(reader, id.toLowerCase()) : null;
    if (!user) throw new NotFoundError('user');
    return user;
  }
}
