/** Where one consumer group member stands, as the consumer itself sees it. */
export type ConsumerGroupState = 'starting' | 'joined' | 'rebalancing' | 'crashed' | 'stopped';

export interface ConsumerGroupStatus {
  groupId: string;
  state: ConsumerGroupState;
  /** Partitions this member was assigned at its last join, by topic. */
  assignment: Record<string, number[]>;
  /** When the member entered `state` (epoch ms). */
  since: number;
  /** The last crash's message, while crashed. */
  error?: string;
  /** Last successful heartbeat (or join) while joined (epoch ms). */
  lastHeartbeat?: number;
  /**
   * The consumer's session timeout: a member that has not heartbeated for this long has been
   * evicted by the coordinator, whatever its own state says (KafkaJS reports a lost broker only
   * once its retries are exhausted).
   */
  sessionTimeoutMs?: number;
}

/**
 * What a role implements (or gets from `trackConsumerGroup`) for each consumer group it runs, and
 * registers with ConsumerGroupRegistry, so readiness can tell whether the group holds its partitions.
 */
export interface ConsumerGroupStatusSource {
  consumerGroupStatus(): ConsumerGroupStatus;
}

export interface ConsumerGroupVerdict {
  healthy: boolean;
  details: Record<string, unknown>;
}

/**
 * Joined is up, even with no partitions (a group with more members than partitions leaves some
 * idle). A rebalance shorter than the grace is up too: scaling a deployment rebalances every
 * member, and all of them turning unready at once would only make it worse.
 */
export function judgeConsumerGroup(status: ConsumerGroupStatus, now: number, rebalanceGraceMs: number): ConsumerGroupVerdict {
  const partitions = Object.values(status.assignment).reduce((sum, list) => sum + list.length, 0);
  const forMs = Math.max(0, now - status.since);
  const details: Record<string, unknown> = { state: status.state, assignedPartitions: partitions, forMs };
  if (status.error) details.error = status.error;
  if (status.state === 'joined' && status.lastHeartbeat !== undefined && status.sessionTimeoutMs !== undefined) {
    const silentMs = Math.max(0, now - status.lastHeartbeat);
    details.lastHeartbeatMs = silentMs;
    if (silentMs > status.sessionTimeoutMs) {
      return {
        healthy: false,
        details: { ...details, message: `no heartbeat for ${silentMs} ms (session timeout ${status.sessionTimeoutMs} ms)` },
      };
    }
  }
  const healthy = status.state === 'joined' || (status.state === 'rebalancing' && forMs <= rebalanceGraceMs);
  return { healthy, details };
}
