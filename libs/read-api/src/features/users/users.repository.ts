import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { TimeIdKey, decodeCursor, toPage } from '../../pagination/cursor.codec';
import { ListUsersQuery, UserPage, UserView } from './users.views';

interface UserRow {
  id: string;
  email: string;
  role: string;
  isActive: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const SELECT = { id: true, email: true, role: true, isActive: true, lastLoginAt: true, createdAt: true, updatedAt: true } as const;

function toView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    isActive: row.isActive,
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Users in (created_at, id) order: users_tenant_created_idx. The password hash is never selected. */
@Injectable()
export class UsersRepository {
  constructor(private readonly database: ReadModelsDatabase) {}

  async list(context: ReadContext, query: ListUsersQuery): Promise<UserPage> {
    const after = decodeCursor('users', query.cursor);
    const rows = await this.database.transaction(context, (tx) =>
      tx.user.findMany({
        select: SELECT,
        where: {
          tenantId: context.tenantId,
          deletedAt: null,
          role: query.role,
          isActive: query.active,
          ...(after && { OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] }),
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: query.limit + 1,
      }),
    );
    return toPage(rows, query.limit, 'users', (row): TimeIdKey => ({ at: row.createdAt, id: row.id }), toView);
  }

  async find(context: ReadContext, id: string): Promise<UserView | null> {
    const row = await this.database.transaction(context, (tx) =>
      tx.user.findFirst({ select: SELECT, where: { tenantId: context.tenantId, id, deletedAt: null } }),
    );
    return row ? toView(row) : null;
  }
}
