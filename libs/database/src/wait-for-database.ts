import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { isDatabaseUnavailable } from './connection-errors';

/** Bounds of the wait between two attempts to reach Postgres at start-up. */
export const DATABASE_WAIT_BACKOFF = { initialMs: 500, maxMs: 10_000 };

export interface DatabaseWaitOptions {
  /** One line per failed attempt, naming the database and the next attempt's delay. */
  warn(message: string): void;
  /** Checked between attempts: a shutdown requested meanwhile ends the wait with an error. */
  stopped(): boolean;
  backoff?: { initialMs: number; maxMs: number };
}

/**
 * Resolves once `connectionString` accepts a connection and answers `SELECT 1`. While Postgres is
 * unreachable or not accepting connections yet (stopped, starting, failing over) it tries again,
 * waiting twice as long each time up to the bound; the orchestrator's startup probe, not this
 * loop, decides how long a start may take. Any other error (a wrong password, a missing database,
 * TLS refused) is a configuration mistake and is thrown at once.
 */
export async function waitForDatabase(connectionString: string, name: string, options: DatabaseWaitOptions): Promise<void> {
  const { initialMs, maxMs } = options.backoff ?? DATABASE_WAIT_BACKOFF;
  for (let attempt = 1; ; attempt += 1) {
    const client = new Client({ connectionString, application_name: 'vinsight-boot', connectionTimeoutMillis: maxMs });
    // A server going away right after the connection emits 'error' on the client (fatal unheard).
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      if (options.stopped()) throw new Error(`shutdown requested while waiting for Postgres (${name})`);
      const delay = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
      options.warn(`Postgres (${name}) not available: ${describe(error)}; attempt ${attempt}, next in ${delay} ms`);
      await sleep(delay);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function describe(error: unknown): string {
  const { message, code, errors } = error as { message?: string; code?: string; errors?: unknown[] };
  if (!message && Array.isArray(errors) && errors.length > 0) return describe(errors[0]);
  return code && !message?.includes(code) ? `${message} (${code})` : (message ?? String(error));
}
