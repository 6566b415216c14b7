import { Injectable } from '@nestjs/common';

/**
 * What the startup and readiness probes need to know about this process's own lifecycle:
 * migrations applied, consumers started, and whether it is draining for shutdown.
 */
@Injectable()
export class LifecycleState {
  migrationsApplied = false;
  /**
   * The highest migration this build ships; the startup probe holds until `schema_migrations`
   * says exactly that (and not dirty), also when another process (the migration Job) migrated.
   */
  expectedSchemaVersion?: number | null;
  private readonly pendingStarts = new Set<string>();
  private readonly started = new Set<string>();
  shuttingDown = false;

  expectStart(component: string) {
    if (!this.started.has(component)) this.pendingStarts.add(component);
  }

  markStarted(component: string) {
    this.pendingStarts.delete(component);
    this.started.add(component);
  }

  pending(): string[] {
    return [...this.pendingStarts];
  }
}
