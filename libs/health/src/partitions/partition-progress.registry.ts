import { Injectable } from '@nestjs/common';
import { PartitionProgressSource } from './partition-progress.source';

/** The consumer groups whose partitions readiness watches for being stuck. */
@Injectable()
export class PartitionProgressRegistry {
  private readonly sources = new Set<PartitionProgressSource>();

  register(source: PartitionProgressSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  all(): PartitionProgressSource[] {
    return [...this.sources];
  }
}
