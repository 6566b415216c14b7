import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tenantScope, tenantScopeFromColumn, withTenant } from '@vinsight/database';

/**
 * One way to run a query as a tenant: libs/database/src/tenant-context.ts is the only code that
 * names the row-level security setting. Anything else setting it by hand (a session-level SET on a
 * pooled connection above all) would escape the rule that the tenant lasts one transaction.
 * Migrations (the policies that read it) are not code that runs queries.
 */
const ROOT = join(__dirname, '..', '..');
const TENANT_CONTEXT = 'libs/database/src/tenant-context.ts';
const TENANT = '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|js|mjs|cjs|sql)$/.test(entry.name) ? [path] : [];
  });
}

describe('tenant context', () => {
  it('is the only code in libs/ and apps/ that names app.current_tenant_id', () => {
    const offenders = ['libs', 'apps']
      .flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .map((path) => relative(ROOT, path))
      .filter((path) => path !== TENANT_CONTEXT && /current_tenant_id/.test(readFileSync(join(ROOT, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('sets the tenant for the running transaction only, and the transaction read-only', () => {
    expect(tenantScope(TENANT)).toBe(
      `SELECT set_config('transaction_read_only', 'on', true), set_config('app.current_tenant_id', '${TENANT}'::text, true)`,
    );
    expect(tenantScopeFromColumn('k.tenant_id')).toBe(
      "set_config('transaction_read_only', 'on', true), set_config('app.current_tenant_id', k.tenant_id::text, true)",
    );
  });

  it.each(["x' OR true --", '', `${TENANT} `, '4f1c2d3e5a6b4c7d8e9f0a1b2c3d4e5f'])(
    'refuses %j as a tenant id before any SQL is sent',
    async (tenantId) => {
      const query = jest.fn();
      expect(() => tenantScope(tenantId)).toThrow('tenant id must be a UUID');
      await expect(withTenant({ query }, tenantId, 'SELECT 1')).rejects.toThrow('tenant id must be a UUID');
      expect(query).not.toHaveBeenCalled();
    },
  );

  it.each(['k.tenant_id; DROP TABLE x', "k.tenant_id'", 'a.b.c'])('refuses %j as a column', (column) => {
    expect(() => tenantScopeFromColumn(column)).toThrow('not a column name');
  });

  it('sends the scope and the statement as one message and answers the statement rows', async () => {
    const query = jest.fn().mockResolvedValue([{ rows: [{ set_config: TENANT }] }, { rows: [{ id: 1 }, { id: 2 }] }]);
    await expect(withTenant({ query }, TENANT, 'SELECT id FROM monitors')).resolves.toEqual([{ id: 1 }, { id: 2 }]);
    expect(query).toHaveBeenCalledTimes(1);
    expect(query).toHaveBeenCalledWith(`${tenantScope(TENANT)}; SELECT id FROM monitors`);
  });
});
