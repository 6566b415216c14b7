import type { BatchResult } from './apply/batch-runner';
import type { Clock } from '@vinsight/runtime';

/** Counters the projector reports after each batch; the app adapts them to its metrics registry. */
export interface ProjectorMetrics {
  batchApplied(topic: string, partition: number, result: BatchResult, durationMs: number): void;
}

/** Tuning of the projector; the defaults suit production. */
export interface ProjectorOptions {
  /** Batch transactions running at the same time (default 3). */
  concurrency?: number;
  /** Bytes of one Kafka fetch per partition (default 256 KiB). */
  maxBytesPerPartition?: number;
  /** Records of one partition applied in one transaction at most (default 20000). */
  maxBatchRecords?: number;
  /** Period of the scheduled retention run (default hourly); 0 turns scheduling off. */
  retentionIntervalMs?: number;
  /** Delay of the first scheduled retention run after start (default 5 minutes). */
  retentionFirstRunMs?: number;
  clock?: Clock;
  metrics?: ProjectorMetrics;
}

export const DEFAULT_RETENTION_INTERVAL_MS = 60 * 60 * 1000;
export const DEFAULT_RETENTION_FIRST_RUN_MS = 5 * 60 * 1000;
/** Partitions ahead of today are renewed this often. */
export const PARTITION_MAINTENANCE_INTERVAL_MS = 6 * 60 * 60 * 1000;
