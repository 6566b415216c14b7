import { escapeLiteral } from 'pg';
import { READ_MODELS_PROJECTION } from './projections.constants';

const BUILD_SCHEMA = /^projection_build_[a-z0-9_]{1,40}$/;

/**
 * Where a projection writes: the live read models in `public`, or a rebuild's build schema
 * (the same tables, reached through the transaction's search_path, with its own checkpoints).
 */
export class ProjectionTarget {
  private constructor(
    /** Name in the checkpoint rows. */
    readonly projection: string,
    /** Name in parked_events: a build's parked events become the live ones at the switch. */
    readonly parkedProjection: string,
    readonly checkpointTable: string,
    /** The build schema, or null for the live tables. */
    readonly buildSchema: string | null,
  ) {}

  static live(): ProjectionTarget {
    return new ProjectionTarget(READ_MODELS_PROJECTION, READ_MODELS_PROJECTION, 'public.projection_checkpoints', null);
  }

  static build(schema: string): ProjectionTarget {
    if (!BUILD_SCHEMA.test(schema)) throw new Error(`not a build schema name: ${schema}`);
    return new ProjectionTarget(READ_MODELS_PROJECTION, `${READ_MODELS_PROJECTION}@${schema}`, `${schema}.projection_checkpoints`, schema);
  }

  /** Statements that open one of this target's transactions, after BEGIN. */
  get transactionSettings(): string[] {
    return this.buildSchema === null ? [] : [`SET LOCAL search_path = ${this.buildSchema}, public`];
  }

  /** Only the live read models are read by the API: a build's progress concerns no reader. */
  get notifiesReaders(): boolean {
    return this.buildSchema === null;
  }

  /** Key of the advisory lock that serialises a partition's batches across both topics. */
  private get lockNamespace(): string {
    return `${this.projection}:${this.buildSchema ?? 'public'}`;
  }

  /**
   * Takes the partition's advisory lock for the transaction, always after the checkpoint row's
   * lock. One statement with literal values, so it can share a message with others.
   */
  partitionLockStatement(partition: number): string {
    if (!Number.isSafeInteger(partition) || partition < 0) throw new Error(`not a partition number: ${partition}`);
    return `SELECT pg_advisory_xact_lock(hashtext(${escapeLiteral(this.lockNamespace)}), ${partition})`;
  }
}
