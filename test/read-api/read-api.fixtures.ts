import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { NOW } from './read-api.harness';

const BCRYPT_HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

export const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
export const hoursAgo = (hours: number) => at(-hours * HOUR);
export const daysAgo = (days: number) => at(-days * DAY);
export const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface SeededMonitor {
  id: string;
  name: string;
  status: 'up' | 'down' | 'unknown';
  isActive: boolean;
  createdAt: Date;
}

/** One tenant's read-model rows, written as the projector writes them (its role bypasses RLS). */
export class TenantSeed {
  readonly tenantId = randomUUID();
  readonly slug = `ra-${this.tenantId.slice(0, 8)}`;
  readonly token = `vk_${randomUUID()}`;
  readonly apiKeyId = randomUUID();
  readonly users: { id: string; email: string; role: string; isActive: boolean; createdAt: Date; deleted: boolean }[] = [];
  readonly monitors: SeededMonitor[] = [];
  readonly deletedMonitorId = randomUUID();
  readonly checks: { id: string; monitorId: string; status: string; checkedAt: Date }[] = [];
  readonly incidents: { id: string; monitorId: string; startedAt: Date; resolvedAt: Date | null }[] = [];
  readonly events: { eventId: string; type: string; occurredAt: Date }[] = [];
  readonly maintenanceWindows: string[] = [];

  constructor(private readonly pool: Pool) {}

  /** A tenant with users, monitors (one deleted), checks, rollups, incidents and audit events. */
  async insertStandard(options: { users?: number; monitors?: number; checksPerMonitor?: number } = {}): Promise<this> {
    await this.insertTenant();
    await this.insertApiKey(this.apiKeyId, this.token);
    const statuses: SeededMonitor['status'][] = ['up', 'down', 'unknown'];
    for (let i = 0; i < (options.users ?? 5); i++) {
      await this.insertUser({ role: ['owner', 'admin', 'user'][i % 3], isActive: i % 4 !== 3, createdAt: at(-DAY + i * 1000) });
    }
    await this.insertUser({ role: 'user', isActive: true, createdAt: at(-DAY + 999999), deleted: true });
    for (let i = 0; i < (options.monitors ?? 6); i++) {
      await this.insertMonitor({
        name: i === 0 ? `Checkout 100%_${this.slug}` : `Monitor ${i} ${this.slug}`,
        status: statuses[i % 3],
        isActive: i !== 5,
        createdAt: at(-2 * DAY + i * 1000),
      });
    }
    await this.insertMonitor({
      id: this.deletedMonitorId,
      name: 'Deleted',
      status: 'up',
      isActive: true,
      createdAt: at(-2 * DAY),
      deleted: true,
    });
    const first = this.monitors[0];
    for (let i = 0; i < (options.checksPerMonitor ?? 7); i++) {
      await this.insertCheck(first.id, i % 3 === 2 ? 'down' : 'up', at(-(i + 1) * 60 * 1000), 100 + i * 10);
    }
    await this.insertIncident(first.id, hoursAgo(30), hoursAgo(29));
    await this.insertIncident(first.id, hoursAgo(2), null);
    await this.insertIncident(this.monitors[1].id, hoursAgo(5), hoursAgo(4.5));
    for (let i = 0; i < 4; i++) await this.insertEvent(i % 2 === 0 ? 'MonitorCreated' : 'UserRegistered', at(-HOUR + i * 1000));
    return this;
  }

  async insertTenant(overrides: { isActive?: boolean; deleted?: boolean } = {}): Promise<void> {
    await this.pool.query(
      `INSERT INTO tenants (id, name, slug, plan, is_active, version, created_at, updated_at, deleted_at)
       VALUES ($1, $2, $3, 'pro', $4, 1, $5, $5, $6)`,
      [this.tenantId, `Tenant ${this.slug}`, this.slug, overrides.isActive ?? true, daysAgo(10), overrides.deleted ? NOW : null],
    );
  }

  async insertApiKey(id: string, token: string, overrides: { expiresAt?: Date; revokedAt?: Date } = {}): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_keys (tenant_id, id, name, token_sha256, expires_at, revoked_at, version, created_at, updated_at)
       VALUES ($1, $2, 'test key', $3, $4, $5, 1, $6, $6)`,
      [this.tenantId, id, sha256(token), overrides.expiresAt ?? null, overrides.revokedAt ?? null, daysAgo(5)],
    );
  }

  async insertUser(options: { role: string; isActive: boolean; createdAt: Date; deleted?: boolean }): Promise<string> {
    const id = randomUUID();
    const email = `user-${id.slice(0, 8)}@${this.slug}.example.com`;
    await this.pool.query(
      `INSERT INTO users (tenant_id, id, email, password_hash, role, is_active, last_login_at, version, created_at, updated_at, deleted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8, $9)`,
      [this.tenantId, id, email, BCRYPT_HASH, options.role, options.isActive, hoursAgo(1), options.createdAt, options.deleted ? NOW : null],
    );
    this.users.push({
      id,
      email,
      role: options.role,
      isActive: options.isActive,
      createdAt: options.createdAt,
      deleted: options.deleted ?? false,
    });
    return id;
  }

  async insertMonitor(options: {
    id?: string;
    name: string;
    status: SeededMonitor['status'];
    isActive: boolean;
    createdAt: Date;
    deleted?: boolean;
  }): Promise<string> {
    const id = options.id ?? randomUUID();
    await this.pool.query(
      `INSERT INTO monitors (tenant_id, id, name, url, check_interval, is_active, status, last_checked_at,
                             last_response_time_ms, last_status_code, version, created_at, updated_at, deleted_at)
       VALUES ($1, $2::uuid, $3, 'https://example.com/' || $2::text, 60, $4, $5, $6, 120, 200, 3, $7, $7, $8)`,
      [this.tenantId, id, options.name, options.isActive, options.status, at(-60000), options.createdAt, options.deleted ? NOW : null],
    );
    if (!options.deleted)
      this.monitors.push({ id, name: options.name, status: options.status, isActive: options.isActive, createdAt: options.createdAt });
    return id;
  }

  async insertCheck(
    monitorId: string,
    status: string,
    checkedAt: Date,
    responseTimeMs: number | null,
    region: string | null = 'eu-west-1',
  ): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO monitor_checks (tenant_id, monitor_id, id, status, response_time_ms, status_code, error_message, region, checked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8)`,
      [
        this.tenantId,
        monitorId,
        id,
        status,
        responseTimeMs,
        status === 'up' ? 200 : 503,
        status === 'up' ? null : 'unavailable',
        checkedAt,
        region,
      ],
    );
    this.checks.push({ id, monitorId, status, checkedAt });
    return id;
  }

  async insertRollup(
    table: 'hourly' | 'daily',
    monitorId: string,
    bucketStart: Date,
    counts: { up: number; down: number; error: number; responseTimeMs: number },
  ): Promise<void> {
    const total = counts.up + counts.down + counts.error;
    await this.pool.query(
      `INSERT INTO monitor_check_rollups_${table} (tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks,
              error_checks, response_time_sum_ms, response_time_count, latency_histogram)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8::bigint * $4::int, $4, (SELECT latency_histogram_agg($8::int) FROM generate_series(1, $4::int))`,
      [this.tenantId, monitorId, bucketStart, total, counts.up, counts.down, counts.error, counts.responseTimeMs],
    );
  }

  /** Daily rows as the projector keeps them: the sum of each UTC day's hourly rows. */
  async rollUpDays(monitorId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO monitor_check_rollups_daily (tenant_id, monitor_id, bucket_start, total_checks, up_checks, down_checks,
              error_checks, response_time_sum_ms, response_time_count, latency_histogram)
       SELECT tenant_id, monitor_id, date_trunc('day', bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
              sum(total_checks), sum(up_checks), sum(down_checks), sum(error_checks), sum(response_time_sum_ms),
              sum(response_time_count), latency_histogram_sum(latency_histogram)::integer[]
         FROM monitor_check_rollups_hourly WHERE tenant_id = $1 AND monitor_id = $2 GROUP BY 1, 2, 3`,
      [this.tenantId, monitorId],
    );
  }

  async insertIncident(monitorId: string, startedAt: Date, resolvedAt: Date | null): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO incidents (tenant_id, id, monitor_id, started_at, resolved_at, first_error) VALUES ($1, $2, $3, $4, $5, 'HTTP 503')`,
      [this.tenantId, id, monitorId, startedAt, resolvedAt],
    );
    this.incidents.push({ id, monitorId, startedAt, resolvedAt });
    return id;
  }

  /** A maintenance window of one monitor (or the whole tenant), current: from an hour ago for two hours. */
  async insertMaintenanceWindow(monitorId: string | null): Promise<string> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO maintenance_windows (tenant_id, id, monitor_id, title, starts_at, ends_at, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, now() - interval '1 hour', now() + interval '1 hour', 1, now(), now())`,
      [this.tenantId, id, monitorId, `window ${id.slice(0, 8)}`],
    );
    this.maintenanceWindows.push(id);
    return id;
  }

  async insertEvent(type: string, occurredAt: Date): Promise<string> {
    const eventId = randomUUID();
    await this.pool.query(
      `INSERT INTO audit_events (tenant_id, event_id, type, aggregate_type, aggregate_id, version, occurred_at, command_id,
                                 correlation_id, issued_by, payload)
       VALUES ($1, $2, $3, 'monitor', $4, 1, $5, $6, $6, 'read-api-test', '{"secret": "never served"}')`,
      [this.tenantId, eventId, type, randomUUID(), occurredAt, randomUUID()],
    );
    this.events.push({ eventId, type, occurredAt });
    return eventId;
  }

  async delete(): Promise<void> {
    await deleteTenants(this.pool, [this.tenantId]);
  }
}

export async function deleteTenants(pool: Pool, tenantIds: string[]): Promise<void> {
  for (const [table, column] of [
    ['tenants', 'id'],
    ['users', 'tenant_id'],
    ['api_keys', 'tenant_id'],
    ['monitors', 'tenant_id'],
    ['monitor_checks', 'tenant_id'],
    ['monitor_check_rollups_hourly', 'tenant_id'],
    ['monitor_check_rollups_daily', 'tenant_id'],
    ['incidents', 'tenant_id'],
    ['audit_events', 'tenant_id'],
    ['maintenance_windows', 'tenant_id'],
  ]) {
    await pool.query(`DELETE FROM ${table} WHERE ${column} = ANY($1::uuid[])`, [tenantIds]);
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
