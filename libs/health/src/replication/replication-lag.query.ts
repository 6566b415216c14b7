/** Anything that runs a query: a pg Pool, PoolClient or Client. */
export interface Queryable {
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface ReplicationLag {
  /** false when the server is not a standby (then the other figures are 0). */
  inRecovery: boolean;
  /** WAL replay paused by pg_wal_replay_pause(). */
  replayPaused: boolean;
  /** A WAL receiver process is running (streaming from, or connecting to, the primary). */
  receiving: boolean;
  /**
   * Age of the last replayed transaction, or 0 when everything received has been replayed while
   * the WAL receiver runs: an idle primary writes no transactions, so the raw age would grow
   * without any lag. Without a receiver nothing says the primary is idle, so the raw age counts.
   * null when no transaction has been replayed since the standby started and 0 does not apply.
   */
  seconds: number | null;
  /** WAL received from the primary but not replayed yet. */
  bytes: number;
  receiveLsn: string | null;
  replayLsn: string | null;
  /** WAL the primary has written that the standby has not replayed, when the primary was asked. */
  bytesBehindPrimary?: number;
}

/**
 * Runs on the standby. Every function used is executable by any role (no superuser and no
 * pg_monitor needed), so the read API's own replica connection can measure its lag. Such a role
 * sees only the pid column of pg_stat_wal_receiver, which is enough to know a receiver runs.
 */
export const REPLICATION_LAG_SQL = `
WITH receiver AS (SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL) AS running)
SELECT
  pg_is_in_recovery() AS in_recovery,
  receiver.running AS receiving,
  CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS replay_paused,
  pg_last_wal_receive_lsn()::text AS receive_lsn,
  pg_last_wal_replay_lsn()::text AS replay_lsn,
  CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_replay_lsn() IS NULL THEN 0
    ELSE greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)
  END::float8 AS bytes,
  CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN receiver.running AND pg_last_wal_receive_lsn() IS NOT NULL
         AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
    -- greatest() ignores NULLs: without this branch an unknown age (nothing replayed since the
    -- standby started) would read as 0, a lag-free replica, while WAL waits to be replayed.
    WHEN pg_last_xact_replay_timestamp() IS NULL THEN NULL
    ELSE greatest(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
  END::float8 AS seconds
FROM receiver`;

/**
 * Primary side: commits a transaction that has an id, so the primary writes a commit record and
 * flushes its WAL up to it, and a standby waiting for the end of a record receives it. Any role
 * may run it, in a read-only transaction too.
 */
export const FLUSH_PRIMARY_WAL_SQL = 'SELECT pg_current_xact_id()';

/** Primary side: how far the standby's replay position is behind the primary's WAL. */
export const PRIMARY_WAL_BEHIND_SQL = `SELECT greatest(pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn), 0)::float8 AS bytes`;

/**
 * Measures a standby's replication lag in seconds and bytes. With `primary`, also measures the
 * bytes the standby is behind the primary itself, which unlike `bytes` also covers WAL the
 * standby has not even received (a broken or slow connection).
 */
export async function measureReplicationLag(replica: Queryable, primary?: Queryable): Promise<ReplicationLag> {
  const { rows } = await replica.query<{
    in_recovery: boolean;
    receiving: boolean;
    replay_paused: boolean;
    receive_lsn: string | null;
    replay_lsn: string | null;
    bytes: number;
    seconds: number | null;
  }>(REPLICATION_LAG_SQL);
  const row = rows[0];
  const lag: ReplicationLag = {
    inRecovery: row.in_recovery,
    replayPaused: row.replay_paused,
    receiving: row.receiving,
    seconds: row.seconds,
    bytes: row.bytes,
    receiveLsn: row.receive_lsn,
    replayLsn: row.replay_lsn,
  };
  if (primary && row.replay_lsn !== null) {
    const behind = await primary.query<{ bytes: number }>(PRIMARY_WAL_BEHIND_SQL, [row.replay_lsn]);
    lag.bytesBehindPrimary = behind.rows[0].bytes;
  }
  return lag;
}
