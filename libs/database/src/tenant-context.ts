import type { CustomTypesConfig, QueryResult, QueryResultRow } from 'pg';

/**
 * The one way to run a query as a tenant. Row-level security reads the tenant from
 * `app.current_tenant_id`; only this file sets it, always with `set_config(..., true)`, which
 * lasts until the end of the running transaction. A session-level SET would survive COMMIT and
 * leak the tenant into the pooled connection's next user. (test/database/tenant-context.spec.ts
 * fails when any other file in libs/ or apps/ names the setting.)
 *
 * Two ways in, one statement underneath (`tenantScope`):
 * - `withTenant`: the scope and one read statement sent as ONE simple-protocol message, which
 *   Postgres runs as one implicit transaction (rolled back on any error): a read costs one round
 *   trip. The statement's values must be literals, since that protocol takes no parameters.
 * - `tenantScope` as the first statement of a transaction the caller runs itself (Prisma's
 *   interactive transaction).
 */
const TENANT_SETTING = 'app.current_tenant_id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMN = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** What `withTenant` sends its message through: a pool or one of its checked-out clients. */
export interface TenantQueryable {
  query(query: string | { text: string; types: CustomTypesConfig }): Promise<unknown>;
}

const scopeTo = (tenantSql: string) =>
  `set_config('transaction_read_only', 'on', true), set_config('${TENANT_SETTING}', ${tenantSql}, true)`;

/** One statement that makes the running transaction read-only and scopes it to `tenantId`. */
export function tenantScope(tenantId: string): string {
  if (!UUID.test(tenantId)) throw new Error('tenant id must be a UUID');
  return `SELECT ${scopeTo(`'${tenantId}'::text`)}`;
}

/**
 * For a lookup whose tenant is what it finds (an API key by its hash): a select-list item that
 * scopes the running transaction to the tenant in `column` of the row it is selected with, so
 * that the following statements of the same message read that tenant's rows.
 */
export function tenantScopeFromColumn(column: string): string {
  if (!COLUMN.test(column)) throw new Error('not a column name');
  return scopeTo(`${column}::text`);
}

/**
 * Runs `statement` (values inlined as literals) as `tenantId` in one round trip; its rows, their
 * columns parsed by `types` when given (pg's own parsers otherwise).
 */
export async function withTenant<R extends QueryResultRow>(
  queryable: TenantQueryable,
  tenantId: string,
  statement: string,
  types?: CustomTypesConfig,
): Promise<R[]> {
  const text = `${tenantScope(tenantId)}; ${statement}`;
  const results = (await queryable.query(types ? { text, types } : text)) as QueryResult<R>[];
  return results[results.length - 1].rows;
}
