import { testEnv } from '../../../test/test-env';
import { createPool } from './pool.factory';

describe('a pool with named statements (real Postgres)', () => {
  const pool = createPool(
    { connectionString: testEnv.projectorUrl, max: 1, applicationName: 'vinsight-test-named', namedStatements: true },
    () => undefined,
  );
  afterAll(() => pool.end());

  const preparedOnConnection = async () =>
    (await pool.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY name')).rows;

  it('prepares a parameterized statement once on the connection and reuses it', async () => {
    const text = 'SELECT $1::int + 1 AS next';
    expect((await pool.query<{ next: number }>(text, [41])).rows).toEqual([{ next: 42 }]);
    expect((await pool.query<{ next: number }>(text, [1])).rows).toEqual([{ next: 2 }]);
    const prepared = (await preparedOnConnection()).filter((row) => row.statement === text);
    expect(prepared).toEqual([{ name: expect.stringMatching(/^vi_/), statement: text }]);
  });

  it('sends queries without parameters as they are', async () => {
    await pool.query('SELECT 1 AS one');
    expect((await preparedOnConnection()).map((row) => row.statement)).not.toContain('SELECT 1 AS one');
  });

  it('keeps the connection usable after a named statement fails', async () => {
    const text = 'SELECT 1 / $1::int AS quotient';
    await expect(pool.query(text, [0])).rejects.toThrow(/division by zero/);
    expect((await pool.query<{ quotient: number }>(text, [1])).rows).toEqual([{ quotient: 1 }]);
    await expect(pool.query('SELECT $1::int FROM no_such_table', [1])).rejects.toThrow(/no_such_table/);
    expect((await pool.query<{ quotient: number }>(text, [1])).rows).toEqual([{ quotient: 1 }]);
  });
});
