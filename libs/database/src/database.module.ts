import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { AppConfig } from '@vinsight/config';
import { Pool } from 'pg';
import { createPool } from './pool.factory';

export const PROJECTOR_POOL = Symbol('PROJECTOR_POOL');
export const API_POOL = Symbol('API_POOL');
export const REPLICA_POOL = Symbol('REPLICA_POOL');

/** Owns every pool so they are all closed, after in-flight work, when the application shuts down. */
@Injectable()
export class PoolRegistry implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private readonly pools: Pool[] = [];

  constructor(@Inject('APP_CONFIG_FOR_POOLS') private readonly config: AppConfig) {}

  create(url: string, role: string, options: { namedStatements?: boolean } = {}): Pool {
    const pool = createPool(
      {
        connectionString: url,
        max: this.config.database.poolMax,
        statementTimeoutMs: this.config.database.statementTimeoutMs,
        applicationName: `vinsight-${role}`,
        namedStatements: options.namedStatements,
      },
      (error) =>
        this.logger.warn(`${role} pool: connection lost (${(error as Error & { code?: string }).code ?? 'no code'}): ${error.message}`),
    );
    this.pools.push(pool);
    return pool;
  }

  async onApplicationShutdown() {
    await Promise.all(this.pools.map((pool) => pool.end().catch(() => undefined)));
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const providers: Provider[] = [{ provide: 'APP_CONFIG_FOR_POOLS', useValue: config }, PoolRegistry];
    const exported: symbol[] = [];
    const add = (token: symbol, url: string | undefined, role: string, options: { namedStatements?: boolean } = {}) => {
      if (!url) return;
      providers.push({
        provide: token,
        useFactory: (registry: PoolRegistry) => registry.create(url, role, options),
        inject: [PoolRegistry],
      });
      exported.push(token);
    };
    // The projector's batches run a few fixed statements hundreds of times a second.
    add(PROJECTOR_POOL, config.database.projectorUrl, 'projector', { namedStatements: true });
    add(API_POOL, config.database.apiUrl, 'read-api');
    add(REPLICA_POOL, config.database.replicaUrl, 'replica');
    return { module: DatabaseModule, providers, exports: [...exported, PoolRegistry] };
  }
}
