import { PartitionProgress } from './partition-progress.source';

/** A partition with input waiting whose committed offset has not moved for the limit or longer. */
export interface StuckPartition {
  group: string;
  projection?: string;
  topic: string;
  partition: number;
  committedOffset: string;
  endOffset: string;
  stuckForSeconds: number;
}

export interface GroupProgressVerdict {
  /** Partitions the group holds here. */
  partitions: number;
  /** Partitions with input waiting (stuck or not). */
  pending: number;
  stuck: StuckPartition[];
}

/**
 * Remembers, per partition with input waiting, since when its committed offset has stood where it
 * is; fed by every readiness or metrics measurement. Committed offsets only move forward, so the
 * same offset seen twice with input waiting means no progress in between, however rarely it is
 * looked at: a partition is never called stuck early, at worst one measurement late. A partition
 * that moved, that has nothing waiting, or that this process no longer holds starts over.
 */
export class StuckPartitionsWatch {
  private readonly waiting = new Map<string, { committed: bigint; since: number }>();

  constructor(private readonly stuckAfterMs: number) {}

  observe(source: { group: string; projection?: string }, partitions: readonly PartitionProgress[], now: number): GroupProgressVerdict {
    const seen = new Set<string>();
    const stuck: StuckPartition[] = [];
    let pending = 0;
    for (const p of partitions) {
      const key = `${source.group}\u0000${p.topic}\u0000${p.partition}`;
      const reached = p.idleAt !== undefined && p.idleAt > p.committed ? p.idleAt : p.committed;
      if (p.end <= reached) continue;
      pending += 1;
      seen.add(key);
      let entry = this.waiting.get(key);
      if (!entry || entry.committed !== p.committed) {
        entry = { committed: p.committed, since: now };
        this.waiting.set(key, entry);
      }
      const forMs = now - entry.since;
      if (forMs < this.stuckAfterMs) continue;
      stuck.push({
        group: source.group,
        ...(source.projection ? { projection: source.projection } : {}),
        topic: p.topic,
        partition: p.partition,
        committedOffset: p.committed.toString(),
        endOffset: p.end.toString(),
        stuckForSeconds: Math.floor(forMs / 1000),
      });
    }
    const prefix = `${source.group}\u0000`;
    for (const key of this.waiting.keys()) if (key.startsWith(prefix) && !seen.has(key)) this.waiting.delete(key);
    stuck.sort((a, b) => b.stuckForSeconds - a.stuckForSeconds || a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return { partitions: partitions.length, pending, stuck };
  }
}
