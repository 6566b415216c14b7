import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { API_POOL, REPLICA_POOL, tenantScope, withTenant } from '@vinsight/database';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { PrismaClient } from '../../../../prisma/generated/client';
import { ReadApiError } from '../errors/read-api.errors';
import { ISO_TIMESTAMP_TYPES } from './iso-timestamps';
import { ReadContext } from './read-context';
import { ReadTarget, ReplicaRouter } from './replica-router';

/** A statement `prepared` declares once per connection: `text` takes $1..$n of `types`. */
export interface PreparedStatement {
  name: string;
  types: string[];
  text: string;
  /**
   * Execute the plan made once for any arguments (plan_cache_mode force_generic_plan, for this
   * transaction only). Postgres's own choice keeps planning a statement over a partitioned table
   * for every call: the generic plan's estimate counts every partition, the pruning it does when
   * it starts is not costed. Only for statements whose generic plan was checked with EXPLAIN.
   */
  genericPlan?: boolean;
}

const GENERIC_PLAN = `SET LOCAL plan_cache_mode = force_generic_plan; `;

/** PREPARE's types and EXECUTE's arguments: none is no parentheses at all. */
const inParentheses = (items: string[]) => (items.length > 0 ? `(${items.join(', ')})` : '');

const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The typed client inside one tenant transaction. */
export type TenantTransaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Every read of tenant data runs here: in ONE read-only transaction under the API role, scoped
 * to the tenant by @vinsight/database's tenant context (tenant-context.ts), which is what row
 * level security reads. Repositories add explicit tenant filters on top, for the indexes.
 *
 * Two ways in:
 * - `transaction`: Prisma's interactive transaction (BEGIN, the tenant scope, the work, COMMIT),
 *   for typed reads;
 * - `prepared`: for the hot reads, whose planning costs more than their execution (a monitor:
 *   ~40 µs of Postgres CPU instead of ~110-140 sent as text with literals; the 30-day uptime:
 *   1.1 ms instead of 3.0 ms): the statement is declared once per pooled connection with SQL's
 *   PREPARE, then every call is ONE simple-protocol message, the tenant scope and
 *   `EXECUTE name(literals)`, one implicit transaction, one round trip. (A protocol-level named
 *   statement cannot share a message with the scope: BEGIN, execute, COMMIT made three round
 *   trips, and the 30-day uptime's p99 paid for them.) See scripts/bench-api.ts.
 *
 * A read routed to the replica that fails for any reason other than a client mistake is retried
 * on the primary (reads are idempotent), and the router stops using the replica until its next
 * good lag measurement.
 */
@Injectable()
export class ReadModelsDatabase implements OnApplicationShutdown {
  private readonly clients: Partial<Record<ReadTarget, PrismaClient>> = {};
  private readonly pools: Partial<Record<ReadTarget, Pool>> = {};
  /** Per statement name, the pooled connections that have PREPAREd it (a new connection has not). */
  private readonly preparedOn = new Map<string, WeakSet<PoolClient>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(API_POOL) primary: Pool,
    private readonly router: ReplicaRouter,
    @Optional() @Inject(REPLICA_POOL) replica?: Pool,
  ) {
    this.pools.primary = primary;
    this.clients.primary = new PrismaClient({ adapter: new PrismaPg(primary) });
    if (replica) {
      this.pools.replica = replica;
      this.clients.replica = new PrismaClient({ adapter: new PrismaPg(replica) });
    }
  }

  /** The primary's pool, for lookups that must not read stale data (credentials, checkpoints). */
  get primaryPool(): Pool {
    return this.pools.primary!;
  }

  get replicaPool(): Pool | undefined {
    return this.pools.replica;
  }

  transaction<T>(context: ReadContext, work: (tx: TenantTransaction) => Promise<T>): Promise<T> {
    const timeout = this.config.database.statementTimeoutMs;
    return this.onTarget(context.target, (target) =>
      this.clients[target]!.$transaction(
        async (tx) => {
          await tx.$queryRawUnsafe(tenantScope(context.tenantId));
          return work(tx);
        },
        { maxWait: timeout, timeout },
      ),
    );
  }

  /**
   * `statement.text` with $n parameters of `statement.types`, PREPAREd once per pooled connection
   * under `statement.name`; `literals` are its arguments, each from sql-literals.ts. Its
   * timestamptz columns come as the ISO strings the API answers with (iso-timestamps.ts).
   */
  async prepared<R extends QueryResultRow>(context: ReadContext, statement: PreparedStatement, literals: string[]): Promise<R[]> {
    if (!SQL_NAME.test(statement.name)) throw new Error('not a statement name');
    const execute = `${statement.genericPlan ? GENERIC_PLAN : ''}EXECUTE ${statement.name}${inParentheses(literals)}`;
    let preparedOn = this.preparedOn.get(statement.name);
    if (!preparedOn) this.preparedOn.set(statement.name, (preparedOn = new WeakSet()));
    return this.onTarget(context.target, async (target) => {
      const client = await this.pools[target]!.connect();
      try {
        if (!preparedOn.has(client)) {
          await client.query(`PREPARE ${statement.name}${inParentheses(statement.types)} AS ${statement.text}`);
          preparedOn.add(client);
        }
        return await withTenant<R>(client, context.tenantId, execute, ISO_TIMESTAMP_TYPES);
      } finally {
        client.release();
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(this.clients).map((client) => client.$disconnect()));
  }

  private async onTarget<T>(target: ReadTarget, run: (target: ReadTarget) => Promise<T>): Promise<T> {
    if (target === 'primary' || !this.clients.replica) return run('primary');
    try {
      return await run('replica');
    } catch (error) {
      if (error instanceof ReadApiError) throw error;
      this.router.replicaFailed(error);
      return run('primary');
    }
  }
}
