/**
 * Errors that say Postgres cannot be reached or is not taking work right now (stopped, restarting,
 * failing over, out of connections), as opposed to errors about the statement or the data. Work
 * that failed this way is retried later as it was; a request answers 503 with Retry-After.
 */

/** SQLSTATEs of a server going away or not accepting connections (class 08 is matched whole). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is stopping (fast or immediate shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, or in recovery
  '53300', // too_many_connections
]);

/** Socket errors of Node (connecting or mid-query). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Prisma's codes for the same situations: P1001 cannot reach the server, P1002 reached it but
 * timed out, P1008 socket timeout, P1017 the server closed the connection, P2024 no pooled
 * connection in time.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** What Prisma's pg adapter calls them when it wraps a driver error (`meta.driverAdapterError.cause.kind`). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/** pg's own errors carry no code, only these messages. */
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Client was closed and is not queryable/i;

/** How deep causes, AggregateError members and Prisma's wrapped adapter errors are followed. */
const MAX_DEPTH = 4;

export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailable(error, 0);
}

function unavailable(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return false;
  const { code, kind, message, cause, errors, meta } = error as {
    code?: unknown;
    kind?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
    meta?: { driverAdapterError?: { cause?: unknown } };
  };
  if (typeof code === 'string') {
    if (/^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_SQLSTATES.has(code) || NETWORK_CODES.has(code) || PRISMA_CODES.has(code)) {
      return true;
    }
  }
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
  const inner = [cause, meta?.driverAdapterError?.cause, ...(Array.isArray(errors) ? errors : [])];
  return inner.some((next) => unavailable(next, depth + 1));
}
