import { Pool } from 'pg';
import { LATENCY_HISTOGRAM_BOUNDS, latencyBucketOf } from '@vinsight/projections';
import { testEnv } from '../test-env';

/** The projector adds histograms up in memory; they must be the ones the SQL functions build. */
describe('latency histogram in TypeScript and in Postgres', () => {
  const pool = new Pool({ connectionString: testEnv.projectorUrl, max: 1 });

  afterAll(() => pool.end());

  it('has the same bounds as latency_histogram_bounds()', async () => {
    const { rows } = await pool.query<{ bounds: number[] }>('SELECT latency_histogram_bounds() AS bounds');
    expect(rows[0].bounds).toEqual(LATENCY_HISTOGRAM_BOUNDS);
  });

  it('puts every response time in the bucket latency_histogram_bucket() does', async () => {
    const samples = [...new Set([...LATENCY_HISTOGRAM_BOUNDS.flatMap((b) => [b - 1, b, b + 1]), 0, 7, 333, 4321, 599999, 600000])].filter(
      (ms) => ms >= 0 && ms <= 600000,
    );
    const { rows } = await pool.query<{ ms: number; bucket: number }>(
      'SELECT ms, latency_histogram_bucket(ms) AS bucket FROM unnest($1::int[]) AS ms',
      [samples],
    );
    for (const { ms, bucket } of rows) expect({ ms, bucket: latencyBucketOf(ms) }).toEqual({ ms, bucket });
  });
});
