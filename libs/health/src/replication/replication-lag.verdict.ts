import { ReplicationLag } from './replication-lag.query';

export interface ReplicationLagLimits {
  maxLagSeconds: number;
  maxLagBytes: number;
}

export interface ReplicationLagVerdict {
  healthy: boolean;
  /** What readiness shows: the figures, the limits, and on failure why. */
  details: Record<string, unknown>;
}

/**
 * Pure judgement of one measurement. Unknown seconds (nothing replayed since the standby started)
 * with WAL pending counts as lagging: the replica cannot tell how stale it is. A paused replay is
 * reported but judged by its effect only: nothing may be waiting to be replayed.
 */
export function judgeReplicationLag(lag: ReplicationLag, limits: ReplicationLagLimits): ReplicationLagVerdict {
  const seconds = lag.seconds === null ? null : Math.round(lag.seconds * 1000) / 1000;
  // Behind the primary also counts WAL the replica has not even received (a broken stream).
  const bytes = Math.max(lag.bytes, lag.bytesBehindPrimary ?? 0);
  const details: Record<string, unknown> = {
    lagSeconds: seconds,
    lagBytes: bytes,
    maxLagSeconds: limits.maxLagSeconds,
    maxLagBytes: limits.maxLagBytes,
    standby: lag.inRecovery,
    receiving: lag.receiving,
    replayPaused: lag.replayPaused,
  };
  const problems: string[] = [];
  if (seconds !== null && seconds > limits.maxLagSeconds) {
    problems.push(`replication lag ${seconds} s is above the limit of ${limits.maxLagSeconds} s`);
  }
  if (seconds === null && bytes > 0) {
    problems.push(`replication lag unknown with ${bytes} bytes of WAL not replayed`);
  }
  if (bytes > limits.maxLagBytes) {
    problems.push(`replication lag ${bytes} bytes is above the limit of ${limits.maxLagBytes} bytes`);
  }
  if (problems.length > 0) {
    if (lag.replayPaused) problems.push('WAL replay is paused');
    return { healthy: false, details: { ...details, message: problems.join('; ') } };
  }
  return { healthy: true, details: lag.replayPaused ? { ...details, message: 'WAL replay is paused' } : details };
}
