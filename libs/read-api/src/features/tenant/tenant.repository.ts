import { Injectable } from '@nestjs/common';
import { ReadContext } from '../../database/read-context';
import { ReadModelsDatabase } from '../../database/read-models.database';
import { TenantView } from './tenant.views';

@Injectable()
export class TenantRepository {
  constructor(private readonly database: ReadModelsDatabase) {}

  async current(context: ReadContext): Promise<TenantView | null> {
    const row = await this.database.transaction(context, (tx) => tx.tenant.findFirst({ where: { id: context.tenantId, deletedAt: null } }));
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      slug: row.slug,
      plan: row.plan,
      isActive: row.isActive,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
