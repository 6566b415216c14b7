import { USER_ROLES } from '@vinsight/domain';
import { BooleanParam, CursorParam, EnumParam, LimitParam } from '../../http/query-params';
import { Field } from '../../http/api-docs.decorators';

export class ListUsersQuery {
  @LimitParam() limit: number = 50;
  @CursorParam() cursor?: string;
  @EnumParam(USER_ROLES, 'only users with this role') role?: string;
  @BooleanParam('only active (true) or deactivated (false) users') active?: boolean;
}

export class UserView {
  @Field({ type: 'string', format: 'uuid' }) id!: string;
  @Field({ type: 'string', format: 'email' }) email!: string;
  @Field({ enum: USER_ROLES }) role!: string;
  @Field({ type: 'boolean' }) isActive!: boolean;
  @Field({ type: 'string', format: 'date-time', nullable: true }) lastLoginAt!: string | null;
  @Field({ type: 'string', format: 'date-time' }) createdAt!: string;
  @Field({ type: 'string', format: 'date-time' }) updatedAt!: string;
}

export class UserPage {
  @Field({ type: [UserView] }) data!: UserView[];
  @Field({ type: 'string', nullable: true, description: 'cursor of the next page; null on the last page' }) nextCursor!: string | null;
}
