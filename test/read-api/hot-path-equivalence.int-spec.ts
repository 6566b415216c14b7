import { PrismaPg } from '@prisma/adapter-pg';
import fc from 'fast-check';
import { Pool } from 'pg';
import request from 'supertest';
import { UptimeWindow, uptimeRanges } from '../../libs/read-api/src/features/analytics/analytics.windows';
import { histogramPercentile, sumHistograms } from '../../libs/read-api/src/features/analytics/latency-histogram';
import { PrismaClient } from '../../prisma/generated/client';
import { testEnv } from '../test-env';
import { TenantSeed, bearer, hoursAgo } from './read-api.fixtures';
import { API_POOL } from '../../libs/database/src';
import { NOW, ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';

/**
 * The hot reads (one round trip, SQL literals, the uptime statement stitched from hourly and
 * daily rollups, histograms merged in JavaScript) answer what independent references say: typed
 * Prisma queries for the monitors, the hourly rollups and incidents summed by the database for
 * the uptime; and the JavaScript percentile is the database's.
 */
describe('hot paths answer what the references answer', () => {
  let pool: Pool;
  let prisma: PrismaClient;
  let seed: TenantSeed;
  let api: ReadApiTestApp;

  beforeAll(async () => {
    pool = projectorPool();
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: testEnv.projectorUrl, max: 2 }) });
    seed = await new TenantSeed(pool).insertStandard({ monitors: 12 });
    for (let hour = 1; hour <= 60; hour++) {
      await seed.insertRollup('hourly', seed.monitors[0].id, new Date(Math.floor(hoursAgo(hour).getTime() / 3600000) * 3600000), {
        up: 5 + (hour % 3),
        down: hour % 2,
        error: hour % 5 === 0 ? 1 : 0,
        responseTimeMs: 20 + hour * 37,
      });
    }
    await seed.rollUpDays(seed.monitors[0].id);
    api = await startReadApi();
  });

  afterAll(async () => {
    await api?.close();
    await seed?.delete();
    await prisma?.$disconnect();
    await pool?.end();
  });

  const SELECT = {
    id: true,
    name: true,
    url: true,
    checkInterval: true,
    isActive: true,
    status: true,
    lastCheckedAt: true,
    lastResponseTimeMs: true,
    version: true,
    createdAt: true,
    updatedAt: true,
  } as const;
  type Row = { [K in keyof typeof SELECT]: unknown };
  // The seed schedules no maintenance: endpoints.int-spec.ts covers the maintenance fields.
  const view = (row: Row) => ({
    ...Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value])),
    inMaintenance: false,
    maintenanceWindowId: null,
  });
  const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

  /** The reference page: Prisma's typed query over the same filters, `limit` rows after `after`. */
  async function referencePage(
    filter: { status?: string; active?: boolean; q?: string },
    limit: number,
    after?: { createdAt: string; id: string },
  ) {
    const rows = await prisma.monitor.findMany({
      select: SELECT,
      where: {
        tenantId: seed.tenantId,
        deletedAt: null,
        status: filter.status,
        isActive: filter.active,
        ...(filter.q !== undefined && { name: { contains: likeEscape(filter.q), mode: 'insensitive' } }),
        ...(after && {
          OR: [{ createdAt: { gt: new Date(after.createdAt) } }, { createdAt: new Date(after.createdAt), id: { gt: after.id } }],
        }),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
    });
    return { data: rows.slice(0, limit).map(view), more: rows.length > limit };
  }

  it.each([
    ['a monitor', () => seed.monitors[3].id],
    ['a deleted monitor', () => seed.deletedMonitorId],
  ])('%s', async (_, id) => {
    const response = await request(api.server).get(`/v1/monitors/${id()}`).set(bearer(seed.token));
    const row = await prisma.monitor.findFirst({ select: SELECT, where: { tenantId: seed.tenantId, id: id(), deletedAt: null } });
    if (row === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    const { requestId: _requestId, ...body } = response.body;
    expect(body).toEqual(view(row));
  });

  it.each([
    ['the first page of monitors', {}, 5],
    ['a filtered page', { status: 'up', active: true, q: 'monitor' }, 2],
    ['a wildcard search', { q: '100%_' }, 50],
    ['a backslash search', { q: "\\'" }, 50],
  ])('%s', async (_, filter: { status?: string; active?: boolean; q?: string }, limit) => {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [key, value] of Object.entries(filter)) query.set(key, String(value));
    const response = await request(api.server).get(`/v1/monitors?${query.toString()}`).set(bearer(seed.token)).expect(200);
    const reference = await referencePage(filter, limit);
    expect(response.body.data).toEqual(reference.data);
    expect(response.body.nextCursor !== null).toBe(reference.more);
  });

  it('pages the same way through a cursor', async () => {
    const first = await request(api.server).get('/v1/monitors?limit=5').set(bearer(seed.token)).expect(200);
    const second = await request(api.server)
      .get(`/v1/monitors?limit=5&cursor=${first.body.nextCursor}`)
      .set(bearer(seed.token))
      .expect(200);
    const last = first.body.data[4] as { createdAt: string; id: string };
    expect(second.body.data).toEqual((await referencePage({}, 5, last)).data);
    expect(second.body.data).toHaveLength(5);
  });

  /** The uptime from the hourly rows alone (daily rows are their sums) and the incidents. */
  async function referenceUptime(monitorId: string, window: UptimeWindow) {
    const { hourlyFrom, from, to } = uptimeRanges(window, NOW);
    const { rows } = await pool.query(
      `SELECT coalesce(sum(total_checks), 0)::float8 AS total, coalesce(sum(up_checks), 0)::float8 AS up,
              coalesce(sum(down_checks), 0)::float8 AS down, coalesce(sum(error_checks), 0)::float8 AS error,
              (sum(response_time_sum_ms) / nullif(sum(response_time_count), 0))::float8 AS avg,
              latency_histogram_percentile(latency_histogram_sum(latency_histogram), 0.95) AS p95,
              (SELECT count(*)::float8 FROM incidents WHERE tenant_id = $1 AND monitor_id = $2 AND started_at < $4
                  AND (resolved_at IS NULL OR resolved_at > $5)) AS incidents,
              (SELECT coalesce(sum(extract(epoch FROM least(coalesce(resolved_at, $4), $4) - greatest(started_at, $5))), 0)::float8
                 FROM incidents WHERE tenant_id = $1 AND monitor_id = $2 AND started_at < $4
                  AND (resolved_at IS NULL OR resolved_at > $5)) AS downtime
         FROM monitor_check_rollups_hourly
        WHERE tenant_id = $1 AND monitor_id = $2 AND bucket_start >= $3 AND bucket_start < $4`,
      [seed.tenantId, monitorId, hourlyFrom, to, from],
    );
    return rows[0] as {
      total: number;
      up: number;
      down: number;
      error: number;
      avg: number | null;
      p95: number | null;
      incidents: number;
      downtime: number;
    };
  }

  it.each([
    ['uptime over 24 h', 0, '24h'],
    ['uptime over 7 days', 0, '7d'],
    ['uptime without data', 4, '30d'],
  ] as const)('%s', async (_, monitor, window) => {
    const response = await request(api.server)
      .get(`/v1/monitors/${seed.monitors[monitor].id}/uptime?window=${window}`)
      .set(bearer(seed.token))
      .expect(200);
    const reference = await referenceUptime(seed.monitors[monitor].id, window);
    expect(response.body).toMatchObject({
      totalChecks: reference.total,
      upChecks: reference.up,
      downChecks: reference.down,
      errorChecks: reference.error,
      incidentCount: reference.incidents,
    });
    expect(response.body.downtimeSeconds).toBeCloseTo(reference.downtime, 3);
    for (const [ours, theirs] of [
      [response.body.avgResponseTimeMs, reference.avg],
      [response.body.p95ResponseTimeMs, reference.p95],
    ]) {
      if (theirs === null) expect(ours).toBeNull();
      else expect(ours).toBeCloseTo(theirs, 2);
    }
    if (monitor === 0) expect(reference.total).toBeGreaterThan(0);
  });

  it('answers 404 for the uptime of a deleted monitor', async () => {
    await request(api.server).get(`/v1/monitors/${seed.deletedMonitorId}/uptime`).set(bearer(seed.token)).expect(404);
  });

  it('computes the same percentile as latency_histogram_percentile', async () => {
    const { rows } = await pool.query<{ bounds: number[] }>('SELECT latency_histogram_bounds() AS bounds');
    const bounds = rows[0].bounds;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.nat({ max: 1000 }), { minLength: bounds.length, maxLength: bounds.length }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(0, 0.5, 0.95, 0.99, 1),
        async (histograms, fraction) => {
          const merged = sumHistograms(histograms, bounds.length);
          const database = await pool.query<{ p: number | null }>('SELECT latency_histogram_percentile($1::bigint[], $2) AS p', [
            merged,
            fraction,
          ]);
          const ours = histogramPercentile(merged, fraction, bounds);
          if (database.rows[0].p === null) expect(ours).toBeNull();
          else expect(ours).toBeCloseTo(database.rows[0].p, 6);
        },
      ),
      { seed: 31337, numRuns: 200 },
    );
  });
});

describe('hot statements', () => {
  let pool: Pool;
  let seed: TenantSeed;
  let api: ReadApiTestApp;

  beforeAll(async () => {
    pool = projectorPool();
    seed = await new TenantSeed(pool).insertStandard({ monitors: 2 });
    // One connection: the statements the reads prepared are then on the connection this test asks.
    api = await startReadApi({ env: { DATABASE_POOL_MAX: '1' } });
  });

  afterAll(async () => {
    await api?.close();
    await seed?.delete();
    await pool?.end();
  });

  const preparedStatements = async (prefix: string) =>
    (
      await api.app
        .get<Pool>(API_POOL)
        .query<{ name: string; generic_plans: string; custom_plans: string }>(
          `SELECT name, generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE name LIKE $1 || '%' ORDER BY name`,
          [prefix],
        )
    ).rows;

  it('a monitor and a page of monitors are planned at most five times per connection, then never again', async () => {
    const monitorId = seed.monitors[0].id;
    for (let read = 0; read < 8; read++) {
      await request(api.server).get(`/v1/monitors/${monitorId}`).set(bearer(seed.token)).expect(200);
      await request(api.server).get('/v1/monitors?limit=5').set(bearer(seed.token)).expect(200);
    }
    await request(api.server).get('/v1/monitors?status=up').set(bearer(seed.token)).expect(200);
    // Postgres's own choice (plan_cache_mode auto): five custom plans, then the generic plan for good.
    expect([...(await preparedStatements('monitor_by_id_')), ...(await preparedStatements('monitors_page_'))]).toEqual([
      { name: 'monitor_by_id_0', generic_plans: '3', custom_plans: '5' },
      { name: 'monitors_page_0', generic_plans: '3', custom_plans: '5' },
      { name: 'monitors_page_1', generic_plans: '0', custom_plans: '1' },
    ]);
  });

  it("a monitor's checks page is planned once per filter combination and connection, not for every read", async () => {
    const monitorId = seed.monitors[0].id;
    for (const query of ['limit=5', 'limit=5', 'limit=5', 'status=up&limit=5', `to=${encodeURIComponent(NOW.toISOString())}`]) {
      await request(api.server).get(`/v1/monitors/${monitorId}/checks?${query}`).set(bearer(seed.token)).expect(200);
    }
    expect(await preparedStatements('checks_page_')).toEqual([
      { name: 'checks_page_0', generic_plans: '3', custom_plans: '0' },
      { name: 'checks_page_1', generic_plans: '1', custom_plans: '0' },
      { name: 'checks_page_8', generic_plans: '1', custom_plans: '0' },
    ]);
  });
});
