import { setTimeout as sleep } from 'node:timers/promises';
import type { UpcastContext } from '@vinsight/contracts';
import { credentialPayloads, READ_MODEL_CHANNELS } from '@vinsight/database';
import { PersonalDataKeys, PersonalDataVault } from '@vinsight/personal-data';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { CheckpointStore } from '../checkpoints/checkpoint.store';
import { DecodedRecord, decodeRecord, identityOf } from '../events/decode-event';
import { describeRecord, SourceRecord } from '../events/source-record';
import { ParkedEventsRepository, ParkedRecord } from '../parking/parked-events.repository';
import { ApplyOutcome, countOf, ProjectionEngine } from '../engine/projection-engine';
import { CheckPartitions, checkDaysOf } from '../partitions/check-partitions';
import { ProjectionTarget } from '../projection-target';
import { READ_MODELS } from '../read-models/read-models';
import { classifyFailure, errorCodeOf } from './database-errors';

/** One fetch of one partition, as the consumer hands it over. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly SourceRecord[];
  /** Last offset the fetch covered, transaction markers included: the checkpoint goes past it. */
  readonly lastOffset: bigint;
}

/** A PartitionBatch with its records decoded. */
export interface DecodedPartitionBatch extends Omit<PartitionBatch, 'records'> {
  readonly records: readonly DecodedRecord[];
}

export interface BatchResult {
  readonly nextOffset: bigint;
  /** Records applied (or found applied) in this batch. */
  readonly applied: number;
  readonly parked: number;
  /** Records below the stored checkpoint: applied by an earlier batch. */
  readonly skipped: number;
  readonly checksInserted: number;
  /** Counts by event type of the records applied, for metrics. */
  readonly types: ReadonlyMap<string, number>;
}

export interface BatchRunnerLogger {
  warn(message: string): void;
  error(message: string): void;
}

const MAX_TRANSIENT_RETRIES = 8;
const FIRST_RETRY_DELAY_MS = 100;

/**
 * Applies one partition batch in one Postgres transaction with exactly-once effects:
 * 1. lock the partition's checkpoint row and drop the records below it (already applied);
 * 2. take the partition's advisory lock, shared by both topics, so a tenant's lifecycle events
 *    and check results (same partition number on both topics) are never applied concurrently;
 * 3. apply the rest to the read models (ProjectionEngine); if the database refuses the data, split
 *    the batch (savepoints) until the refused events are isolated, and park them with the reason;
 *    the first attempt has no savepoints (four round trips fewer): if anything fails in it, the
 *    transaction is rolled back whole and the batch runs again guarded;
 * 4. move the checkpoint past the batch and commit.
 * A transient failure (connection, deadlock, timeout) rolls everything back and retries.
 */
export class BatchRunner {
  private readonly checkpoints: CheckpointStore;
  /**
   * Called inside every batch transaction, its rows written, just before the message that writes
   * the checkpoint and commits, with the number of records it applies (test-only fault injection).
   */
  beforeCommit?: (partition: number, records: number, batch: string) => void;

  constructor(
    readonly pool: Pool,
    readonly target: ProjectionTarget,
    private readonly partitions: CheckPartitions,
    private readonly logger: BatchRunnerLogger,
    personalData: PersonalDataKeys,
    private readonly engine = new ProjectionEngine(READ_MODELS, new PersonalDataVault(pool, personalData)),
    private readonly parking = new ParkedEventsRepository(),
  ) {
    this.checkpoints = new CheckpointStore(target);
    this.upcastContext = { emailHashOf: new PersonalDataVault(pool, personalData).emailHashOf };
  }

  /** What decoding needs to lift old events (the keyed email hash of UserRegistered v1). */
  readonly upcastContext: UpcastContext;

  get checkpointStore(): CheckpointStore {
    return this.checkpoints;
  }

  async run(batch: PartitionBatch): Promise<BatchResult> {
    return this.runDecoded({
      topic: batch.topic,
      partition: batch.partition,
      records: batch.records.map((record) => decodeRecord(record, this.upcastContext)),
      lastOffset: batch.lastOffset,
    });
  }

  /** As run, for records the consumer decoded as they arrived. */
  async runDecoded(batch: DecodedPartitionBatch): Promise<BatchResult> {
    await this.partitions.ensureDays(checkDaysOf(batch.records));
    let guarded = false;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.transaction(batch, guarded);
      } catch (error) {
        if (!guarded && classifyFailure(error) !== 'transient') {
          guarded = true;
          continue;
        }
        if (classifyFailure(error) !== 'transient' || attempt >= MAX_TRANSIENT_RETRIES) throw error;
        const delay = FIRST_RETRY_DELAY_MS * 2 ** attempt;
        this.logger.warn(`${batch.topic}[${batch.partition}]: ${(error as Error).message}; retrying the batch in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  private async transaction(batch: DecodedPartitionBatch, guarded: boolean): Promise<BatchResult> {
    const decoded = batch.records;
    const client = await this.pool.connect();
    let broken = false;
    try {
      // One round trip: BEGIN, the settings, the checkpoint's row lock, then the partition's
      // advisory lock (in that order, as everywhere). A crash of Postgres may lose the last
      // commits, rows and checkpoint together: they are then applied again from the older
      // checkpoint. Not waiting for the WAL flush is safe here.
      const opened = (await client.query(
        [
          'BEGIN',
          'SET LOCAL synchronous_commit = off',
          ...this.target.transactionSettings,
          this.checkpoints.lockStatement(batch.topic, batch.partition),
          this.target.partitionLockStatement(batch.partition),
        ].join('; '),
      )) as unknown as QueryResult<{ next_offset: string }>[];
      const stored = await this.checkpoints.lockedOffset(client, batch.topic, batch.partition, opened[opened.length - 2]);
      const pending = decoded.filter((d) => d.record.offset >= stored);
      const nextOffset = batch.lastOffset + 1n > stored ? batch.lastOffset + 1n : stored;
      if (pending.length === 0 && nextOffset === stored) {
        await client.query('ROLLBACK');
        return emptyResult(stored, decoded.length);
      }
      const { parked, applied, checksInserted, types, credentialTenants } = guarded
        ? await this.applyIsolating(client, pending)
        : sliceOutcomeOf(await this.engine.apply(client, pending, false));
      await this.parking.park(client, this.target.parkedProjection, parked);
      if (this.target.notifiesReaders) await notifyCredentials(client, credentialTenants);
      this.beforeCommit?.(batch.partition, pending.length, `batch ${batch.topic}[${batch.partition}] ${stored}..${nextOffset - 1n}`);
      // One round trip: if the checkpoint's statement fails, Postgres skips the COMMIT after it.
      await client.query(`${this.checkpoints.advanceStatement(batch.topic, batch.partition, nextOffset)}; COMMIT`);
      for (const p of parked) {
        this.logger.warn(`parked ${describeRecord(p.record)} (${p.eventType ?? 'unreadable'}): ${p.errorCode} ${p.reason}`);
      }
      return { nextOffset, applied, parked: parked.length, skipped: decoded.length - pending.length, checksInserted, types };
    } catch (error) {
      broken = classifyFailure(error) === 'transient';
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      // a connection that failed mid-transaction is not given back to the pool
      client.release(broken ? true : undefined);
    }
  }

  /** Applies `records`; when the database refuses their data, halves them until the refused ones are alone. */
  private async applyIsolating(client: PoolClient, records: readonly DecodedRecord[]): Promise<SliceOutcome> {
    if (records.length === 0) return EMPTY_SLICE;
    await client.query('SAVEPOINT batch_slice');
    try {
      const outcome = await this.engine.apply(client, records);
      await client.query('RELEASE SAVEPOINT batch_slice');
      return sliceOutcomeOf(outcome);
    } catch (error) {
      if (classifyFailure(error) !== 'poison') throw error;
      await client.query('ROLLBACK TO SAVEPOINT batch_slice');
      await client.query('RELEASE SAVEPOINT batch_slice');
      if (records.length === 1) {
        return {
          ...EMPTY_SLICE,
          parked: [
            { record: records[0].record, reason: (error as Error).message, errorCode: errorCodeOf(error), ...partialOf(records[0]) },
          ],
        };
      }
      const middle = Math.ceil(records.length / 2);
      const first = await this.applyIsolating(client, records.slice(0, middle));
      const second = await this.applyIsolating(client, records.slice(middle));
      const types = new Map(first.types);
      for (const [type, count] of second.types) types.set(type, (types.get(type) ?? 0) + count);
      return {
        parked: [...first.parked, ...second.parked],
        applied: first.applied + second.applied,
        checksInserted: first.checksInserted + second.checksInserted,
        types,
        credentialTenants: [...first.credentialTenants, ...second.credentialTenants],
      };
    }
  }
}

interface SliceOutcome {
  readonly parked: ParkedRecord[];
  readonly applied: number;
  readonly checksInserted: number;
  readonly types: Map<string, number>;
  readonly credentialTenants: readonly string[];
}

const EMPTY_SLICE: SliceOutcome = { parked: [], applied: 0, checksInserted: 0, types: new Map(), credentialTenants: [] };

function sliceOutcomeOf(outcome: ApplyOutcome): SliceOutcome {
  let applied = 0;
  for (const count of outcome.applied.values()) applied += count;
  return {
    parked: outcome.rejected.map((r) => ({
      record: r.record,
      reason: r.rejection.message,
      errorCode: r.rejection.code,
      ...partialOf(r.decoded),
    })),
    applied,
    checksInserted: countOf(outcome.changed, 'CheckRecorded'),
    types: new Map(outcome.applied),
    credentialTenants: outcome.credentialTenants,
  };
}

/**
 * Sent inside the batch's transaction, so read API processes hear of a revocation exactly when it
 * becomes readable (NOTIFY is delivered on commit, dropped on rollback).
 */
async function notifyCredentials(client: PoolClient, tenantIds: readonly string[]): Promise<void> {
  const payloads = credentialPayloads(tenantIds);
  if (payloads.length === 0) return;
  await client.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [READ_MODEL_CHANNELS.credentials, payloads]);
}

function partialOf(decoded: DecodedRecord): Pick<ParkedRecord, 'eventId' | 'eventType' | 'tenantId'> {
  const { eventId, type, tenantId } = identityOf(decoded);
  return { eventId, eventType: type, tenantId };
}

const emptyResult = (nextOffset: bigint, skipped: number): BatchResult => ({
  nextOffset,
  applied: 0,
  parked: 0,
  skipped,
  checksInserted: 0,
  types: new Map(),
});
