import type { Pool } from 'pg';

export interface ReplicaLag {
  inRecovery: boolean;
  replayPaused: boolean;
  /** Age of the last replayed transaction, 0 when everything received is replayed. */
  seconds: number | null;
  /** WAL received but not replayed yet. */
  bytes: number;
}

/**
 * Runs on the standby with the API's own role (every function here is executable by PUBLIC).
 * The raw replay age grows on an idle primary without any lag, so it only counts while received
 * WAL waits to be replayed (the same measure as the readiness probe).
 */
const REPLICATION_LAG_SQL = `
SELECT
  pg_is_in_recovery() AS in_recovery,
  CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END AS replay_paused,
  CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_replay_lsn() IS NULL THEN 0
    ELSE greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)
  END::float8 AS bytes,
  CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT NULL
         AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
    ELSE greatest(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
  END::float8 AS seconds`;

export async function measureReplicaLag(replica: Pool): Promise<ReplicaLag> {
  const { rows } = await replica.query<{ in_recovery: boolean; replay_paused: boolean; bytes: number; seconds: number | null }>(
    REPLICATION_LAG_SQL,
  );
  const row = rows[0];
  return { inRecovery: row.in_recovery, replayPaused: row.replay_paused, seconds: row.seconds, bytes: row.bytes };
}
