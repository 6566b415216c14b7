/**
 * Autovacuum's rules, run by a bench for its own database: this machine's Postgres runs with
 * autovacuum off (SHOW autovacuum), production's does not. Every `naptimeMs`, each table (leaf
 * partitions included, partitioned parents not, as autovacuum does) is vacuumed when its dead rows
 * exceed 50 + 20 % of its rows and analyzed when the rows changed since its last ANALYZE exceed
 * 50 + 10 % (autovacuum's default thresholds and scale factors), paced as autovacuum paces its
 * work (a 2-ms sleep per 200 cost units: autovacuum_vacuum_cost_delay and vacuum_cost_limit).
 *
 * Without it a run inherits the dead rows of every run before it (their tenants are deleted
 * afterwards), and statistics never follow the tables: the generic plans cached in the roles'
 * connections stay what they were when the day's check partition was empty, and an ANALYZE is
 * what invalidates them. The naptime is shorter than autovacuum's minute so that a window of a
 * minute runs on statistics that have seen its data, as a long-running system's have.
 */
import { Client } from 'pg';

const DUE_TABLES_SQL = `SELECT format('%I.%I', s.schemaname, s.relname) AS name,
    s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0) AS vacuum,
    s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0) AS analyze
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
  WHERE c.relkind = 'r'`;

export class BenchAutovacuum {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> = Promise.resolve();
  /** Tables vacuumed and analyzed so far, and passes that failed, for the bench's report. */
  readonly done = { vacuumed: 0, analyzed: 0, failedPasses: 0 };

  private constructor(
    private readonly client: Client,
    private readonly naptimeMs: number,
  ) {}

  /** Connects as the tables' owner, runs a first pass at once, then one every `naptimeMs`. */
  static async start(ownerUrl: string, naptimeMs: number): Promise<BenchAutovacuum> {
    const client = new Client({ connectionString: ownerUrl });
    // A lost connection fails the passes after it (counted), instead of the bench.
    client.on('error', () => undefined);
    await client.connect();
    await client.query(`SET vacuum_cost_delay = '2ms'; SET vacuum_cost_limit = 200`);
    const autovacuum = new BenchAutovacuum(client, naptimeMs);
    await autovacuum.runPass();
    autovacuum.schedule();
    return autovacuum;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass.catch(() => undefined);
    await this.client.end();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      // A failed pass is counted, not thrown: the bench must still stop the roles it started.
      this.pass = this.runPass()
        .catch(() => {
          this.done.failedPasses++;
        })
        .finally(() => {
          if (this.timer) this.schedule();
        });
    }, this.naptimeMs);
  }

  private async runPass(): Promise<void> {
    const { rows } = await this.client.query<{ name: string; vacuum: boolean; analyze: boolean }>(DUE_TABLES_SQL);
    for (const table of rows) {
      if (table.vacuum) await this.client.query(`VACUUM ${table.analyze ? '(ANALYZE) ' : ''}${table.name}`);
      else if (table.analyze) await this.client.query(`ANALYZE ${table.name}`);
      if (table.vacuum) this.done.vacuumed++;
      if (table.analyze) this.done.analyzed++;
    }
  }
}
