/** Where one partition a consumer group of this process holds stands against the end of its log. */
export interface PartitionProgress {
  topic: string;
  partition: number;
  /** Offset of the next record to process: the group's committed offset, or the projection's checkpoint. */
  committed: bigint;
  /** End of the log (high watermark). */
  end: bigint;
  /**
   * Set when the consumer waits for input with nothing unprocessed in hand: the offset its next
   * record must have. Past `committed` when only transaction markers or aborted records follow,
   * which are no input.
   */
  idleAt?: bigint;
}

/**
 * What a role implements for each consumer group it runs (the command processor's group, the
 * projector's), and registers with PartitionProgressRegistry, so readiness can tell a stuck
 * partition from a busy or an idle one.
 */
export interface PartitionProgressSource {
  /** The consumer group's id, named in readiness and in the metric. */
  readonly group: string;
  /** The projection whose checkpoints `committed` is, when the group keeps its positions in Postgres. */
  readonly projection?: string;
  /** The partitions this process holds now; none while its group is not joined. Must be cheap: readiness asks. */
  progress(): Promise<PartitionProgress[]>;
}
