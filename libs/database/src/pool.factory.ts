import { Pool, PoolConfig } from 'pg';

export interface PoolSettings {
  connectionString: string;
  max: number;
  statementTimeoutMs: number;
  applicationName: string;
}

/**
 * One pg pool per database role. Connection errors on idle clients are reported to the caller's
 * handler instead of crashing the process (pg emits 'error' on the pool when the server goes away).
 */
export function createPool(settings: PoolSettings, onIdleError: (error: Error) => void): Pool {
  const config: PoolConfig = {
    connectionString: settings.connectionString,
    max: settings.max,
    statement_timeout: settings.statementTimeoutMs,
    application_name: settings.applicationName,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  };
  const pool = new Pool(config);
  pool.on('error', onIdleError);
  return pool;
}
