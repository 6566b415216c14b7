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

/**
 * True when a streaming, unpaused standby looks stale only because what it has received ends
 * inside a WAL record: the primary flushes WAL on commit and otherwise in whole pages, so after a
 * burst it can hold the rest of a record that spans a page (a page image written by pruning or
 * vacuum) for minutes, until its next commit or checkpoint. The standby cannot replay that record
 * and its last replayed commit keeps ageing on an idle primary. Seen in the chaos run: 2,200 bytes
 * received and not replayed, readiness down for 5 minutes until the primary's checkpoint.
 * A standby that is really behind has more than the byte limit pending, or is paused.
 */
export function replayWaitsForPrimaryFlush(lag: ReplicationLag, limits: ReplicationLagLimits): boolean {
  const stale = lag.seconds === null || lag.seconds > limits.maxLagSeconds;
  return lag.inRecovery && lag.receiving && !lag.replayPaused && stale && lag.bytes > 0 && lag.bytes <= limits.maxLagBytes;
}
