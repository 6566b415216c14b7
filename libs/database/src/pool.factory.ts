import { Pool, PoolConfig } from 'pg';
import { namingClient } from './named-statements';

export interface PoolSettings {
  connectionString: string;
  max: number;
  /** Unset: no statement timeout (an operator's long rebuild). */
  statementTimeoutMs?: number;
  applicationName: string;
  /** Send parameterized queries as named statements (see named-statements.ts). */
  namedStatements?: boolean;
}

/**
 * One pg pool per database role. pg emits 'error' on a Client whose server goes away (a restart,
 * a failover, an idle-session kill), and an 'error' event nobody listens to ends the process.
 * pg-pool listens only while a client is idle (and re-emits the error on the pool); while a client
 * is checked out, its own listeners are all there is. So every client the pool creates gets a
 * listener of its own for its whole life, and the pool one for idle clients: the error reaches
 * `onConnectionError` once, and the query in flight, if any, fails with it as well, which is what
 * its caller handles (retry, or 503). The dead client is dropped by the pool when released.
 */
export function createPool(settings: PoolSettings, onConnectionError: (error: Error) => void): Pool {
  const config: PoolConfig = {
    connectionString: settings.connectionString,
    max: settings.max,
    statement_timeout: settings.statementTimeoutMs,
    application_name: settings.applicationName,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    ...(settings.namedStatements ? { Client: namingClient() } : {}),
  };
  const pool = new Pool(config);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  // Already reported by the client's own listener above; without a listener here pg-pool's
  // re-emitted error would end the process.
  pool.on('error', () => undefined);
  return pool;
}
