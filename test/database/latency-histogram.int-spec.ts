import { RolePools, asTenant, createRolePools } from './db';

/**
 * The histogram helpers of migrations 000006 and 000031, run in SQL on the test database (they are pure
 * functions: nothing is written).
 */
describe('latency histogram functions', () => {
  let pools: RolePools;
  const sql = async <T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T> =>
    asTenant(pools.api, null, async (client) => (await client.query<T>(text, params)).rows[0]);

  beforeAll(() => {
    pools = createRolePools();
  });
  afterAll(async () => {
    await pools.close();
  });

  it('has 56 ascending log-scale buckets from 0 ms to [500000, 600000] ms', async () => {
    const { bounds } = await sql<{ bounds: number[] }>('SELECT latency_histogram_bounds() AS bounds');
    expect(bounds).toHaveLength(56);
    expect(bounds[0]).toBe(0);
    expect(bounds[55]).toBe(500000);
    for (let k = 1; k < bounds.length; k += 1) {
      expect(bounds[k]).toBeGreaterThan(bounds[k - 1]);
      if (bounds[k - 1] >= 10) expect(bounds[k] / bounds[k - 1]).toBeLessThanOrEqual(4 / 3);
      else expect(bounds[k] - bounds[k - 1]).toBeLessThanOrEqual(2);
    }
  });

  it.each([
    [0, 1],
    [1, 2],
    [9, 8],
    [10, 9],
    [124, 19],
    [125, 20],
    [499999, 55],
    [500000, 56],
    [600000, 56],
  ])('puts %i ms in bucket %i', async (ms, bucket) => {
    expect(await sql('SELECT latency_histogram_bucket($1) AS bucket', [ms])).toEqual({ bucket });
  });

  it.each([
    ['56 counts adding up', 'array_fill(1, ARRAY[56])', 56, true],
    ['counts not adding up', 'array_fill(1, ARRAY[56])', 55, false],
    ['55 counts', 'array_fill(1, ARRAY[55])', 55, false],
    ['57 counts', 'array_fill(1, ARRAY[57])', 57, false],
    ['a negative count', 'array_fill(0, ARRAY[55]) || -1', -1, false],
    ['a NULL count', 'array_fill(0, ARRAY[55]) || NULL::integer', 0, false],
    ['two dimensions', 'array_fill(0, ARRAY[56, 1])', 0, false],
    [
      'counts from 0',
      "'[0:55]={0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0}'::integer[]",
      0,
      false,
    ],
    ['counts past the integer range in sum', 'array_fill(2147483647, ARRAY[56])', 56 * 2147483647, true],
  ])('judges a rollup histogram of %s (the rollup tables check)', async (_name, histogram, total, valid) => {
    expect(await sql(`SELECT latency_histogram_is_valid(${histogram}, $1) AS valid`, [total])).toEqual({ valid });
  });

  it('estimates percentiles within a bucket width of the exact value', async () => {
    const row = await sql<{ p50: number; p95: number; exact50: number; exact95: number }>(
      `SELECT latency_histogram_percentile(latency_histogram_agg(ms), 0.5) AS p50,
              latency_histogram_percentile(latency_histogram_agg(ms), 0.95) AS p95,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS exact50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY ms) AS exact95
       FROM (SELECT (i * 7919) % 3000 AS ms FROM generate_series(1, 5000) AS i) AS sample`,
    );
    expect(Math.abs(row.p50 - row.exact50) / row.exact50).toBeLessThan(0.2);
    expect(Math.abs(row.p95 - row.exact95) / row.exact95).toBeLessThan(0.2);
  });

  it('merges rollups: the sum of two halves equals the histogram of the whole', async () => {
    const row = await sql<{ merged: number[]; summed: string[]; whole: number[] }>(
      `WITH halves AS (
         SELECT i % 2 AS half, latency_histogram_agg(i * 13) AS h FROM generate_series(1, 1000) AS i GROUP BY i % 2
       )
       SELECT latency_histogram_merge((SELECT h FROM halves WHERE half = 0), (SELECT h FROM halves WHERE half = 1)) AS merged,
              (SELECT latency_histogram_sum(h) FROM halves) AS summed,
              (SELECT latency_histogram_agg(i * 13) FROM generate_series(1, 1000) AS i) AS whole`,
    );
    expect(row.merged).toEqual(row.whole);
    expect(row.summed.map(Number)).toEqual(row.whole);
  });

  it('ignores checks without a response time and has no percentile for an empty histogram', async () => {
    const row = await sql<{ total: string; p95: number | null }>(
      `SELECT (SELECT sum(n) FROM unnest(latency_histogram_agg(ms)) AS n) AS total,
              latency_histogram_percentile(latency_histogram_empty(), 0.95) AS p95
       FROM (VALUES (NULL::integer), (100), (NULL)) AS checks(ms)`,
    );
    expect(row).toEqual({ total: '1', p95: null });
  });
});
