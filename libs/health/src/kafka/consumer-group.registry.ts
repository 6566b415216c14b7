import { Injectable } from '@nestjs/common';
import { ConsumerGroupStatusSource } from './consumer-group.status';

/**
 * The consumer groups this process runs. Roles register each group once its consumer exists
 * (HealthModule is global, so any module can inject this); readiness checks every one.
 */
@Injectable()
export class ConsumerGroupRegistry {
  private readonly sources = new Set<ConsumerGroupStatusSource>();

  register(source: ConsumerGroupStatusSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  all(): ConsumerGroupStatusSource[] {
    return [...this.sources];
  }
}
