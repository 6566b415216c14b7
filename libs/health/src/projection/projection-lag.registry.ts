import { Inject, Injectable, Optional } from '@nestjs/common';
import { PROJECTION_LAG_SOURCE, ProjectionLagSource } from './projection-lag.source';

/** The projections this process runs; one provided under PROJECTION_LAG_SOURCE joins by itself. */
@Injectable()
export class ProjectionLagRegistry {
  private readonly sources = new Set<ProjectionLagSource>();

  constructor(@Optional() @Inject(PROJECTION_LAG_SOURCE) provided?: ProjectionLagSource) {
    if (provided) this.sources.add(provided);
  }

  register(source: ProjectionLagSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  all(): ProjectionLagSource[] {
    return [...this.sources];
  }
}
