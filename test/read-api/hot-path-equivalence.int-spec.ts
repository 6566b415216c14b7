import fc from 'fast-check';
import { Pool } from 'pg';
import request from 'supertest';
import { histogramPercentile, sumHistograms } from '../../libs/read-api/src/features/analytics/latency-histogram';
import { TenantSeed, bearer, hoursAgo } from './read-api.fixtures';
import { ReadApiTestApp, projectorPool, startReadApi } from './read-api.harness';

/**
 * The pg hot paths (one round trip, SQL literals, histograms merged in JavaScript) answer exactly
 * what the Prisma paths answer, and the JavaScript percentile is the database's.
 */
describe('hot paths: pg and Prisma agree', () => {
  let pool: Pool;
  let seed: TenantSeed;
  let pgApi: ReadApiTestApp;
  let prismaApi: ReadApiTestApp;

  beforeAll(async () => {
    pool = projectorPool();
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
    [pgApi, prismaApi] = await Promise.all([startReadApi({ settings: { hotPathDriver: 'pg' } }), startReadApi({ settings: { hotPathDriver: 'prisma' } })]);
  });

  afterAll(async () => {
    await Promise.all([pgApi?.close(), prismaApi?.close()]);
    await seed?.delete();
    await pool?.end();
  });

  it.each([
    ['a monitor', () => `/v1/monitors/${seed.monitors[3].id}`],
    ['a deleted monitor', () => `/v1/monitors/${seed.deletedMonitorId}`],
    ['the first page of monitors', () => '/v1/monitors?limit=5'],
    ['a filtered page', () => '/v1/monitors?status=up&active=true&q=monitor&limit=2'],
    ['a wildcard search', () => `/v1/monitors?q=${encodeURIComponent('100%_')}`],
    ['a backslash search', () => `/v1/monitors?q=${encodeURIComponent('\\\'')}`],
    ['uptime over 24 h', () => `/v1/monitors/${seed.monitors[0].id}/uptime`],
    ['uptime over 7 days', () => `/v1/monitors/${seed.monitors[0].id}/uptime?window=7d`],
    ['uptime without data', () => `/v1/monitors/${seed.monitors[4].id}/uptime?window=30d`],
    ['uptime of a deleted monitor', () => `/v1/monitors/${seed.deletedMonitorId}/uptime`],
  ])('%s', async (_, path) => {
    const [viaPg, viaPrisma] = await Promise.all([
      request(pgApi.server).get(path()).set(bearer(seed.token)),
      request(prismaApi.server).get(path()).set(bearer(seed.token)),
    ]);
    expect(viaPg.status).toBe(viaPrisma.status);
    const { requestId: _a, ...pgBody } = viaPg.body;
    const { requestId: _b, ...prismaBody } = viaPrisma.body;
    expect(pgBody).toEqual(prismaBody);
  });

  it('pages the same way through a cursor', async () => {
    const first = await request(pgApi.server).get('/v1/monitors?limit=5').set(bearer(seed.token)).expect(200);
    const [viaPg, viaPrisma] = await Promise.all([
      request(pgApi.server).get(`/v1/monitors?limit=5&cursor=${first.body.nextCursor}`).set(bearer(seed.token)),
      request(prismaApi.server).get(`/v1/monitors?limit=5&cursor=${first.body.nextCursor}`).set(bearer(seed.token)),
    ]);
    expect(viaPg.body).toEqual(viaPrisma.body);
    expect(viaPg.body.data).toHaveLength(5);
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
          const database = await pool.query<{ p: number | null }>('SELECT latency_histogram_percentile($1::bigint[], $2) AS p', [merged, fraction]);
          const ours = histogramPercentile(merged, fraction, bounds);
          if (database.rows[0].p === null) expect(ours).toBeNull();
          else expect(ours).toBeCloseTo(database.rows[0].p, 6);
        },
      ),
      { seed: 31337, numRuns: 200 },
    );
  });
});
