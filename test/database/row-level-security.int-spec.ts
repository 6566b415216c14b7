import { PoolClient } from 'pg';
import { RolePools, asTenant, createRolePools, failureOf, inTransaction } from './db';
import { TENANT_TABLES, TenantFixture, TenantTable, deleteTenantRows, insertTenantRows, newTenantFixture } from './fixtures';

const tables = Object.keys(TENANT_TABLES) as TenantTable[];
const INSUFFICIENT_PRIVILEGE = '42501';

/** The columns of `table` the role may select: all of them but the ones kept from it. */
async function selectableColumns(client: PoolClient, role: string, table: string): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(
    `SELECT attname FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped
       AND has_column_privilege($2, attrelid, attnum, 'SELECT')
     ORDER BY attnum`,
    [table, role],
  );
  return rows.map((r) => r.attname);
}

async function tenantColumnValues(client: PoolClient, table: TenantTable): Promise<string[]> {
  const columns = await selectableColumns(client, 'vinsight_api', table);
  // "SELECT *" over every column the role may read, and no tenant filter: only the policy filters.
  const { rows } = await client.query<Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${table}`);
  return rows.map((row) => String(row[TENANT_TABLES[table]]));
}

describe('row level security and grants (vinsight_test)', () => {
  let pools: RolePools;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    pools = createRolePools();
    a = newTenantFixture();
    b = newTenantFixture();
    // One projector transaction writing two tenants: the projector is a cross-tenant writer.
    await inTransaction(pools.projector, async (client) => {
      await insertTenantRows(client, a);
      await insertTenantRows(client, b);
    });
  });

  afterAll(async () => {
    await inTransaction(pools.projector, (client) => deleteTenantRows(client, [a.tenantId, b.tenantId]));
    await pools.close();
  });

  it('covers every tenant table of the schema, each with ENABLE and FORCE row level security', async () => {
    const { rows } = await pools.owner.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
       FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND (c.relname = 'tenants'
              OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                                                         AND NOT a.attisdropped))
         AND c.relname NOT IN ('tenant_slug_reservations', 'api_key_token_reservations', 'user_data_keys')
       ORDER BY c.relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual([...tables].sort());
    for (const row of rows) {
      expect({ table: row.relname, enabled: row.relrowsecurity, forced: row.relforcerowsecurity }).toEqual({
        table: row.relname,
        enabled: true,
        forced: true,
      });
    }
  });

  it.each(tables)('%s: the api role sees only the current tenant rows, without a tenant filter', async (table) => {
    const seenByA = await asTenant(pools.api, a.tenantId, (client) => tenantColumnValues(client, table));
    expect(seenByA.length).toBeGreaterThan(0);
    expect(new Set(seenByA)).toEqual(new Set([a.tenantId]));

    const seenByB = await asTenant(pools.api, b.tenantId, (client) => tenantColumnValues(client, table));
    expect(new Set(seenByB)).toEqual(new Set([b.tenantId]));
  });

  it.each(tables)('%s: the api role sees nothing when no tenant is set', async (table) => {
    expect(await asTenant(pools.api, null, (client) => tenantColumnValues(client, table))).toEqual([]);
  });

  it('the tenant setting does not outlive its transaction on a pooled connection', async () => {
    const client = await pools.api.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.current_tenant_id', $1, true)", [a.tenantId]);
      expect((await client.query('SELECT id FROM tenants')).rows).toEqual([{ id: a.tenantId }]);
      await client.query('COMMIT');
      expect((await client.query('SELECT id FROM tenants')).rows).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('a tenant setting that is not a UUID is an error, not a wider view', async () => {
    const error = await asTenant(pools.api, null, async (client) => {
      await client.query("SELECT set_config('app.current_tenant_id', 'not-a-uuid', true)");
      return failureOf(client.query('SELECT id FROM tenants'));
    });
    expect(error.code).toBe('22P02');
  });

  it.each(tables)('%s: the api role may not INSERT, UPDATE or DELETE', async (table) => {
    const tenantColumn = TENANT_TABLES[table];
    const statements = [
      `INSERT INTO ${table} SELECT * FROM ${table} WHERE false`,
      `INSERT INTO ${table} (${tenantColumn}) VALUES ('${a.tenantId}')`,
      `UPDATE ${table} SET ${tenantColumn} = ${tenantColumn}`,
      `DELETE FROM ${table}`,
    ];
    for (const sql of statements) {
      const error = await asTenant(pools.api, a.tenantId, (client) => failureOf(client.query(sql)));
      expect({ sql, code: error.code }).toEqual({ sql, code: INSUFFICIENT_PRIVILEGE });
    }
  });

  it.each(tables)('%s: the api role can neither disable nor switch off row level security', async (table) => {
    const disable = await asTenant(pools.api, a.tenantId, (client) =>
      failureOf(client.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`)),
    );
    expect(disable.code).toBe(INSUFFICIENT_PRIVILEGE);
    expect(disable.message).toMatch(/must be owner/);

    const noForce = await asTenant(pools.api, a.tenantId, (client) =>
      failureOf(client.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`)),
    );
    expect(noForce.code).toBe(INSUFFICIENT_PRIVILEGE);

    // row_security = off does not bypass policies: it makes any policy-filtered query fail.
    const switchedOff = await asTenant(pools.api, a.tenantId, async (client) => {
      await client.query('SET LOCAL row_security = off');
      return failureOf(client.query(`SELECT count(*) FROM ${table}`));
    });
    expect(switchedOff.code).toBe(INSUFFICIENT_PRIVILEGE);
    expect(switchedOff.message).toMatch(/row-level security/);
  });

  it('user_data_keys: ENABLE and FORCE row level security, and the api role may do nothing with it', async () => {
    const { rows } = await pools.owner.query<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'public.user_data_keys'::regclass`,
    );
    expect(rows).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
    for (const sql of [
      'SELECT count(*) FROM user_data_keys',
      `DELETE FROM user_data_keys WHERE tenant_id = '${a.tenantId}'`,
      `UPDATE user_data_keys SET kek_id = kek_id`,
    ]) {
      const error = await asTenant(pools.api, a.tenantId, (client) => failureOf(client.query(sql)));
      expect({ sql, code: error.code }).toEqual({ sql, code: INSUFFICIENT_PRIVILEGE });
    }
  });

  it('the api role cannot read users.password_hash or audit_events.payload', async () => {
    for (const sql of ['SELECT password_hash FROM users', 'SELECT * FROM users', 'SELECT payload FROM audit_events']) {
      const error = await asTenant(pools.api, a.tenantId, (client) => failureOf(client.query(sql)));
      expect({ sql, code: error.code }).toEqual({ sql, code: INSUFFICIENT_PRIVILEGE });
    }
    const readable = await asTenant(pools.api, a.tenantId, (client) => selectableColumns(client, 'vinsight_api', 'users'));
    expect(readable).not.toContain('password_hash');
    expect(readable).toEqual(expect.arrayContaining(['id', 'email', 'role', 'is_active', 'last_login_at']));
  });

  it('the api role cannot reach partitions of monitor_checks directly, where no policy applies', async () => {
    const { rows } = await pools.owner.query<{ partition: string }>(
      `SELECT inhrelid::regclass::text AS partition FROM pg_inherits WHERE inhparent = 'monitor_checks'::regclass`,
    );
    expect(rows.length).toBeGreaterThan(1);
    for (const { partition } of rows) {
      const error = await asTenant(pools.api, a.tenantId, (client) => failureOf(client.query(`SELECT * FROM ${partition}`)));
      expect({ partition, code: error.code }).toEqual({ partition, code: INSUFFICIENT_PRIVILEGE });
    }
  });

  it('the api role cannot touch the reservations nor maintain partitions', async () => {
    for (const sql of [
      'SELECT * FROM tenant_slug_reservations',
      'SELECT * FROM api_key_token_reservations',
      'SELECT ensure_monitor_check_partitions(current_date, 1)',
      'SELECT drop_monitor_check_partitions_before(current_date - 3650)',
    ]) {
      const error = await asTenant(pools.api, a.tenantId, (client) => failureOf(client.query(sql)));
      expect({ sql, code: error.code }).toEqual({ sql, code: INSUFFICIENT_PRIVILEGE });
    }
  });

  it('an API key is found by the hash of its token before the tenant is known, and only that key', async () => {
    const found = await asTenant(pools.api, null, async (client) => {
      await client.query("SELECT set_config('app.api_key_token_sha256', $1, true)", [b.tokenSha256]);
      return (await client.query('SELECT tenant_id, id FROM api_keys')).rows;
    });
    expect(found).toEqual([{ tenant_id: b.tenantId, id: b.apiKeyId }]);

    const unknown = await asTenant(pools.api, null, async (client) => {
      await client.query("SELECT set_config('app.api_key_token_sha256', $1, true)", ['0'.repeat(64)]);
      return (await client.query('SELECT id FROM api_keys')).rows;
    });
    expect(unknown).toEqual([]);
  });

  it('FORCE applies the policies to the owner too: the migration role reads no tenant rows', async () => {
    for (const table of tables) {
      const { rows } = await pools.owner.query(`SELECT 1 FROM ${table} WHERE ${TENANT_TABLES[table]} = $1`, [a.tenantId]);
      expect({ table, rows: rows.length }).toEqual({ table, rows: 0 });
    }
  });

  it('the projector reads and writes across tenants', async () => {
    for (const table of tables) {
      const column = TENANT_TABLES[table];
      const { rows } = await pools.projector.query<{ tenant: string }>(
        `SELECT DISTINCT ${column}::text AS tenant FROM ${table} WHERE ${column} = ANY($1::uuid[])`,
        [[a.tenantId, b.tenantId]],
      );
      expect({ table, tenants: rows.map((r) => r.tenant).sort() }).toEqual({ table, tenants: [a.tenantId, b.tenantId].sort() });
    }
    const updated = await asTenant(pools.projector, a.tenantId, (client) =>
      client.query(`UPDATE monitors SET name = 'renamed', version = version + 1 WHERE tenant_id = ANY($1::uuid[])`, [
        [a.tenantId, b.tenantId],
      ]),
    );
    expect(updated.rowCount).toBe(2);
  });
});
