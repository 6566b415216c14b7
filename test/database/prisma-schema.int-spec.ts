import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../../prisma/generated/client';
import { testEnv } from '../test-env';
import { RolePools, createRolePools, inTransaction } from './db';
import { TenantFixture, deleteTenantRows, insertTenantRows, newTenantFixture } from './fixtures';

/**
 * Columns kept out of the Prisma schema on purpose because the read API's role may not select
 * them (see the header of prisma/schema.prisma).
 */
const NOT_IN_PRISMA: Record<string, string[]> = { users: ['password_hash'], audit_events: ['payload'] };

const camelCase = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Makes pg's and Prisma's representations comparable (Prisma: bigint, pg: string). */
function normalise(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(normalise);
  return value;
}

interface ModelCheck {
  table: string;
  where: (f: TenantFixture) => { sql: string; params: unknown[] };
  find: (prisma: PrismaClient, f: TenantFixture) => Promise<object | null>;
}

const byTenant = (f: TenantFixture) => ({ sql: 'tenant_id = $1', params: [f.tenantId] });

/** One entry per Prisma model: the compiler rejects a model added without a check here. */
const MODELS: Record<Prisma.ModelName, ModelCheck> = {
  Tenant: {
    table: 'tenants',
    where: (f) => ({ sql: 'id = $1', params: [f.tenantId] }),
    find: (p, f) => p.tenant.findFirst({ where: { id: f.tenantId } }),
  },
  User: { table: 'users', where: byTenant, find: (p, f) => p.user.findFirst({ where: { tenantId: f.tenantId } }) },
  ApiKey: { table: 'api_keys', where: byTenant, find: (p, f) => p.apiKey.findFirst({ where: { tenantId: f.tenantId } }) },
  Monitor: { table: 'monitors', where: byTenant, find: (p, f) => p.monitor.findFirst({ where: { tenantId: f.tenantId } }) },
  MonitorCheck: {
    table: 'monitor_checks',
    where: byTenant,
    find: (p, f) => p.monitorCheck.findFirst({ where: { tenantId: f.tenantId } }),
  },
  MonitorCheckRollupHourly: {
    table: 'monitor_check_rollups_hourly',
    where: byTenant,
    find: (p, f) => p.monitorCheckRollupHourly.findFirst({ where: { tenantId: f.tenantId } }),
  },
  MonitorCheckRollupDaily: {
    table: 'monitor_check_rollups_daily',
    where: byTenant,
    find: (p, f) => p.monitorCheckRollupDaily.findFirst({ where: { tenantId: f.tenantId } }),
  },
  Incident: { table: 'incidents', where: byTenant, find: (p, f) => p.incident.findFirst({ where: { tenantId: f.tenantId } }) },
  AuditEvent: {
    table: 'audit_events',
    where: byTenant,
    find: (p, f) => p.auditEvent.findFirst({ where: { tenantId: f.tenantId } }),
  },
  MaintenanceWindow: {
    table: 'maintenance_windows',
    where: byTenant,
    find: (p, f) => p.maintenanceWindow.findFirst({ where: { tenantId: f.tenantId } }),
  },
  ProjectionCheckpoint: {
    table: 'projection_checkpoints',
    where: (f) => ({ sql: 'projection = $1', params: [`test-${f.tenantId}`] }),
    find: (p, f) => p.projectionCheckpoint.findFirst({ where: { projection: `test-${f.tenantId}` } }),
  },
  TenantSlugReservation: {
    table: 'tenant_slug_reservations',
    where: (f) => ({ sql: 'slug = $1', params: [f.slug] }),
    find: (p, f) => p.tenantSlugReservation.findFirst({ where: { slug: f.slug } }),
  },
  ApiKeyTokenReservation: {
    table: 'api_key_token_reservations',
    where: (f) => ({ sql: 'token_sha256 = $1', params: [f.tokenSha256] }),
    find: (p, f) => p.apiKeyTokenReservation.findFirst({ where: { tokenSha256: f.tokenSha256 } }),
  },
};

describe('Prisma schema against the migrated database', () => {
  let pools: RolePools;
  let projectorPrisma: PrismaClient;
  let apiPrisma: PrismaClient;
  const f = newTenantFixture();
  const other = newTenantFixture();

  beforeAll(async () => {
    pools = createRolePools();
    projectorPrisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: testEnv.projectorUrl, max: 2 }) });
    apiPrisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: testEnv.apiUrl, max: 2 }) });
    await inTransaction(pools.projector, async (client) => {
      await insertTenantRows(client, f);
      await insertTenantRows(client, other);
      await client.query(
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset) VALUES ($1, 'vinsight.events', 3, 9007199254740993)`,
        [`test-${f.tenantId}`],
      );
      await client.query(`INSERT INTO tenant_slug_reservations (slug, tenant_id, command_id) VALUES ($1, $2, $3)`, [
        f.slug,
        f.tenantId,
        f.commandId,
      ]);
      await client.query(`INSERT INTO api_key_token_reservations (token_sha256, tenant_id, command_id) VALUES ($1, $2, $3)`, [
        f.tokenSha256,
        f.tenantId,
        f.commandId,
      ]);
    });
  });

  afterAll(async () => {
    await inTransaction(pools.projector, async (client) => {
      await deleteTenantRows(client, [f.tenantId, other.tenantId]);
      await client.query('DELETE FROM projection_checkpoints WHERE projection = $1', [`test-${f.tenantId}`]);
      await client.query('DELETE FROM tenant_slug_reservations WHERE slug = $1', [f.slug]);
    });
    // The projector's role may only reserve: a reservation is for ever.
    await pools.owner.query('DELETE FROM api_key_token_reservations WHERE token_sha256 = $1', [f.tokenSha256]);
    await Promise.all([projectorPrisma.$disconnect(), apiPrisma.$disconnect()]);
    await pools.close();
  });

  it('has a model for every table of the schema', async () => {
    const { rows } = await pools.owner.query<{ relname: string }>(
      `SELECT relname FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
         AND relname <> 'schema_migrations'
         -- the command processor's own write-side table, read and written with pg, not a read model
         AND relname <> 'processor_snapshots'
         -- users' wrapped data keys (libs/personal-data), never read through Prisma nor by the read API
         AND relname <> 'user_data_keys'
       ORDER BY relname`,
    );
    expect(
      Object.values(MODELS)
        .map((m) => m.table)
        .sort(),
    ).toEqual(rows.map((r) => r.relname));
  });

  it.each(Object.keys(MODELS) as Prisma.ModelName[])('%s: findFirst reads every column with the value pg reads', async (model) => {
    const check = MODELS[model];
    const where = check.where(f);
    const { rows } = await pools.projector.query<Record<string, unknown>>(`SELECT * FROM ${check.table} WHERE ${where.sql}`, where.params);
    expect(rows).toHaveLength(1);

    const found = (await check.find(projectorPrisma, f)) as Record<string, unknown> | null;
    expect(found).not.toBeNull();

    const omitted = NOT_IN_PRISMA[check.table] ?? [];
    const expected = Object.fromEntries(
      Object.entries(rows[0])
        .filter(([column]) => !omitted.includes(column))
        .map(([column, value]) => [camelCase(column), normalise(value)]),
    );
    const actual = Object.fromEntries(Object.entries(found!).map(([field, value]) => [field, normalise(value)]));
    expect(actual).toEqual(expected);
  });

  it('maps the types a read model needs: Date, BigInt, Int[] histograms', async () => {
    const rollup = await projectorPrisma.monitorCheckRollupHourly.findFirst({ where: { tenantId: f.tenantId } });
    expect(rollup?.bucketStart).toBeInstanceOf(Date);
    expect(rollup?.responseTimeSumMs).toBe(370n);
    expect(rollup?.latencyHistogram).toHaveLength(56);
    const checkpoint = await projectorPrisma.projectionCheckpoint.findFirst({ where: { projection: `test-${f.tenantId}` } });
    expect(checkpoint?.nextOffset).toBe(9007199254740993n);
  });

  it('works under the api role with the tenant set for the transaction, and only for that tenant', async () => {
    const [, monitors, users, events] = await apiPrisma.$transaction([
      apiPrisma.$queryRaw`SELECT set_config('app.current_tenant_id', ${f.tenantId}, true)`,
      apiPrisma.monitor.findMany(),
      apiPrisma.user.findMany(),
      apiPrisma.auditEvent.findMany(),
    ]);
    expect(monitors.map((m) => m.tenantId)).toEqual([f.tenantId]);
    expect(users.map((u) => u.id)).toEqual([f.userId]);
    expect(events.map((e) => e.eventId)).toEqual([f.eventId]);

    expect(await apiPrisma.monitor.findMany()).toEqual([]);
  });
});
