import { createHash, randomUUID } from 'node:crypto';
import { PoolClient } from 'pg';

/** Fixed clock for fixture rows: tests never depend on the time they run at. */
export const FIXED_TIME = '2026-01-15T10:20:30.000Z';
export const FIXED_HOUR = '2026-01-15T10:00:00.000Z';
export const FIXED_DAY = '2026-01-15T00:00:00.000Z';

/**
 * Every tenant table and the column that holds its tenant. A test compares this list with the
 * catalog, so a new tenant table without a fixture (and so without isolation tests) fails it.
 */
export const TENANT_TABLES = {
  tenants: 'id',
  users: 'tenant_id',
  api_keys: 'tenant_id',
  monitors: 'tenant_id',
  monitor_checks: 'tenant_id',
  monitor_check_rollups_hourly: 'tenant_id',
  monitor_check_rollups_daily: 'tenant_id',
  incidents: 'tenant_id',
  audit_events: 'tenant_id',
  maintenance_windows: 'tenant_id',
} as const;

export type TenantTable = keyof typeof TENANT_TABLES;

export interface TenantFixture {
  tenantId: string;
  slug: string;
  userId: string;
  apiKeyId: string;
  tokenSha256: string;
  monitorId: string;
  checkId: string;
  incidentId: string;
  eventId: string;
  commandId: string;
  maintenanceWindowId: string;
}

const BCRYPT_HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

export function newTenantFixture(): TenantFixture {
  const tenantId = randomUUID();
  return {
    tenantId,
    slug: `t-${tenantId.slice(0, 8)}`,
    userId: randomUUID(),
    apiKeyId: randomUUID(),
    tokenSha256: createHash('sha256').update(randomUUID()).digest('hex'),
    monitorId: randomUUID(),
    checkId: randomUUID(),
    incidentId: randomUUID(),
    eventId: randomUUID(),
    commandId: randomUUID(),
    maintenanceWindowId: randomUUID(),
  };
}

/** Writes one row per tenant table for the fixture's tenant, as a projector would. */
export async function insertTenantRows(client: PoolClient, f: TenantFixture): Promise<void> {
  await client.query(
    `INSERT INTO tenants (id, name, slug, plan, version, created_at, updated_at)
     VALUES ($1, 'Acme ' || $2, $2, 'pro', 1, $3, $3)`,
    [f.tenantId, f.slug, FIXED_TIME],
  );
  await client.query(
    `INSERT INTO users (tenant_id, id, email, password_hash, role, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'owner', 1, $5, $5)`,
    [f.tenantId, f.userId, `Owner.${f.slug}@example.com`, BCRYPT_HASH, FIXED_TIME],
  );
  await client.query(
    `INSERT INTO api_keys (tenant_id, id, name, token_sha256, version, created_at, updated_at)
     VALUES ($1, $2, 'ci', $3, 1, $4, $4)`,
    [f.tenantId, f.apiKeyId, f.tokenSha256, FIXED_TIME],
  );
  await client.query(
    `INSERT INTO monitors (tenant_id, id, name, url, check_interval, status, last_checked_at,
                           last_response_time_ms, last_status_code, version, created_at, updated_at)
     VALUES ($1, $2, 'Home page', 'https://example.com/', 60, 'up', $3, 120, 200, 2, $3, $3)`,
    [f.tenantId, f.monitorId, FIXED_TIME],
  );
  await client.query(
    `INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, response_time_ms, status_code, region, checked_at)
     VALUES ($1, $2, $3, 'up', 120, 200, 'eu-west-1', $4)`,
    [f.tenantId, f.monitorId, f.checkId, FIXED_TIME],
  );
  for (const [table, bucket] of [
    ['monitor_check_rollups_hourly', FIXED_HOUR],
    ['monitor_check_rollups_daily', FIXED_DAY],
  ]) {
    await client.query(
      `INSERT INTO ${table} (tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks,
                             error_checks, response_time_sum_ms, response_time_count, latency_histogram)
       VALUES ($1, $2, $3, 3, 2, 1, 0, 370, 2,
               latency_histogram_add(latency_histogram_add(latency_histogram_empty(), 120), 250))`,
      [f.tenantId, f.monitorId, bucket],
    );
  }
  await client.query(
    `INSERT INTO incidents (tenant_id, id, monitor_id, started_at, resolved_at, first_error)
     VALUES ($1, $2, $3, $4, $4::timestamptz + interval '5 minutes', 'connection refused')`,
    [f.tenantId, f.incidentId, f.monitorId, FIXED_TIME],
  );
  await client.query(
    `INSERT INTO audit_events (tenant_id, event_id, type, aggregate_type, aggregate_id, version, occurred_at,
                               command_id, correlation_id, issued_by, payload)
     VALUES ($1, $2, 'UserRegistered', 'user', $3, 1, $4, $5, $5, 'test-suite', $6)`,
    [f.tenantId, f.eventId, f.userId, FIXED_TIME, f.commandId, { email: 'x@example.com', passwordHash: BCRYPT_HASH }],
  );
  await client.query(
    `INSERT INTO maintenance_windows (tenant_id, id, monitor_id, title, starts_at, ends_at, recurrence_days, recurrence_start_time,
                                      recurrence_duration_minutes, recurrence_timezone, version, created_at, updated_at)
     VALUES ($1, $2, $3, 'Upgrade', $4, NULL, ARRAY['sat', 'sun'], '02:00', 90, 'Europe/Paris', 1, $4, $4)`,
    [f.tenantId, f.maintenanceWindowId, f.monitorId, FIXED_TIME],
  );
}

/** Removes what insertTenantRows wrote (the projector's role may delete across tenants). */
export async function deleteTenantRows(client: PoolClient, tenantIds: string[]): Promise<void> {
  for (const [table, column] of Object.entries(TENANT_TABLES)) {
    await client.query(`DELETE FROM ${table} WHERE ${column} = ANY($1::uuid[])`, [tenantIds]);
  }
}
