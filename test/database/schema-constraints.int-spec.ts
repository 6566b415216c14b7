import { Pool } from 'pg';
import { RolePools, asTenant, createRolePools, failureOf } from './db';
import { FIXED_DAY, FIXED_HOUR, TenantFixture, insertTenantRows, newTenantFixture } from './fixtures';

const CHECK_VIOLATION = '23514';
const UNIQUE_VIOLATION = '23505';

/**
 * The read models refuse values outside the contract's ranges. Every case runs in a transaction
 * that is rolled back, after writing a valid fixture, so the only difference is the bad value.
 */
describe('read model constraints', () => {
  let pools: RolePools;

  beforeAll(() => {
    pools = createRolePools();
  });
  afterAll(async () => {
    await pools.close();
  });

  async function errorCodeOf(pool: Pool, sql: (f: TenantFixture) => [string, unknown[]]): Promise<string | undefined> {
    return asTenant(pool, null, async (client) => {
      const f = newTenantFixture();
      await insertTenantRows(client, f);
      const [text, params] = sql(f);
      return (await failureOf(client.query(text, params))).code;
    });
  }

  const checkViolations: Array<[string, (f: TenantFixture) => [string, unknown[]]]> = [
    ['an unknown plan', (f) => ['UPDATE tenants SET plan = $2 WHERE id = $1', [f.tenantId, 'gold']]],
    ['a slug with upper case', (f) => ['UPDATE tenants SET slug = $2 WHERE id = $1', [f.tenantId, 'Acme']]],
    ['a two-letter slug', (f) => ['UPDATE tenants SET slug = $2 WHERE id = $1', [f.tenantId, 'ab']]],
    ['an empty tenant name', (f) => ["UPDATE tenants SET name = '' WHERE id = $1", [f.tenantId]]],
    ['version 0', (f) => ['UPDATE monitors SET version = 0 WHERE tenant_id = $1', [f.tenantId]]],
    ['an unknown user role', (f) => ["UPDATE users SET role = 'root' WHERE tenant_id = $1", [f.tenantId]]],
    ['a plaintext password', (f) => ["UPDATE users SET password_hash = 'hunter2' WHERE tenant_id = $1", [f.tenantId]]],
    ['a token that is not SHA-256 hex', (f) => ["UPDATE api_keys SET token_sha256 = 'secret' WHERE tenant_id = $1", [f.tenantId]]],
    ['a check interval of 9 s', (f) => ['UPDATE monitors SET check_interval = 9 WHERE tenant_id = $1', [f.tenantId]]],
    ['a check interval over a day', (f) => ['UPDATE monitors SET check_interval = 86401 WHERE tenant_id = $1', [f.tenantId]]],
    ['an ftp monitor url', (f) => ["UPDATE monitors SET url = 'ftp://example.com' WHERE tenant_id = $1", [f.tenantId]]],
    ['an unknown monitor status', (f) => ["UPDATE monitors SET status = 'paused' WHERE tenant_id = $1", [f.tenantId]]],
    ['a response time over 600000 ms', (f) => ['UPDATE monitor_checks SET response_time_ms = 600001 WHERE tenant_id = $1', [f.tenantId]]],
    ['status code 99', (f) => ['UPDATE monitor_checks SET status_code = 99 WHERE tenant_id = $1', [f.tenantId]]],
    ['a region over 50 characters', (f) => ["UPDATE monitor_checks SET region = repeat('x', 51) WHERE tenant_id = $1", [f.tenantId]]],
    [
      'an hourly bucket not on the hour',
      (f) => [
        "UPDATE monitor_check_rollups_hourly SET bucket_start = $2::timestamptz + interval '1 minute' WHERE tenant_id = $1",
        [f.tenantId, FIXED_HOUR],
      ],
    ],
    [
      'a daily bucket not at midnight UTC',
      (f) => [
        "UPDATE monitor_check_rollups_daily SET bucket_start = $2::timestamptz + interval '1 hour' WHERE tenant_id = $1",
        [f.tenantId, FIXED_DAY],
      ],
    ],
    [
      'counts that do not add up',
      (f) => ['UPDATE monitor_check_rollups_hourly SET up_checks = up_checks + 1 WHERE tenant_id = $1', [f.tenantId]],
    ],
    [
      'a histogram that disagrees with its count',
      (f) => [
        'UPDATE monitor_check_rollups_daily SET response_time_count = response_time_count + 1, total_checks = total_checks + 1, up_checks = up_checks + 1 WHERE tenant_id = $1',
        [f.tenantId],
      ],
    ],
    [
      'a histogram with the wrong number of buckets',
      (f) => ['UPDATE monitor_check_rollups_hourly SET latency_histogram = latency_histogram[1:55] WHERE tenant_id = $1', [f.tenantId]],
    ],
    [
      'an incident resolved before it started',
      (f) => ["UPDATE incidents SET resolved_at = started_at - interval '1 second' WHERE tenant_id = $1", [f.tenantId]],
    ],
    ['an audit payload that is not an object', (f) => ["UPDATE audit_events SET payload = '[]' WHERE tenant_id = $1", [f.tenantId]]],
  ];

  it.each(checkViolations)('refuses %s', async (_, sql) => {
    expect(await errorCodeOf(pools.projector, sql)).toBe(CHECK_VIOLATION);
  });

  it('keeps e-mail addresses unique per tenant, case-insensitively, among users not removed', async () => {
    await asTenant(pools.projector, null, async (client) => {
      const f = newTenantFixture();
      await insertTenantRows(client, f);
      const { rows } = await client.query<{ email: string; password_hash: string }>(
        'SELECT email, password_hash FROM users WHERE tenant_id = $1',
        [f.tenantId],
      );
      const insertUser = (tenantId: string, id: string) =>
        client.query(
          `INSERT INTO users (tenant_id, id, email, password_hash, version, created_at, updated_at)
           VALUES ($1, $2, upper($3), $4, 1, now(), now())`,
          [tenantId, id, rows[0].email, rows[0].password_hash],
        );
      await client.query('SAVEPOINT duplicate');
      expect((await failureOf(insertUser(f.tenantId, newTenantFixture().userId))).code).toBe(UNIQUE_VIOLATION);
      await client.query('ROLLBACK TO SAVEPOINT duplicate');

      // Another tenant may use the address, and so may this one once the first user is removed.
      await insertUser(newTenantFixture().tenantId, newTenantFixture().userId);
      await client.query('UPDATE users SET deleted_at = now() WHERE tenant_id = $1', [f.tenantId]);
      await insertUser(f.tenantId, newTenantFixture().userId);
    });
  });

  it('allows one open incident per monitor', async () => {
    const code = await errorCodeOf(pools.projector, (f) => [
      `INSERT INTO incidents (tenant_id, id, monitor_id, started_at)
       SELECT tenant_id, gen_random_uuid(), monitor_id, now() FROM incidents WHERE tenant_id = $1
       UNION ALL
       SELECT tenant_id, gen_random_uuid(), monitor_id, now() FROM incidents WHERE tenant_id = $1`,
      [f.tenantId],
    ]);
    expect(code).toBe(UNIQUE_VIOLATION);
  });
});
