import type { Pool } from 'pg';
import { classifyFailure, errorCodeOf } from '../apply/database-errors';
import { ProjectionEngine } from '../engine/projection-engine';
import { PersonalDataKeys, PersonalDataVault } from '@vinsight/personal-data';
import { decodeRecord } from '../events/decode-event';
import { ProjectionTarget } from '../projection-target';
import { READ_MODELS } from '../read-models/read-models';
import { ParkedEvent, ParkedEventsRepository } from './parked-events.repository';

export type ReplayOutcome =
  | { id: string; outcome: 'applied' | 'superseded' }
  | { id: string; outcome: 'failed'; reason: string; errorCode: string }
  | { id: string; outcome: 'not-found' | 'already-replayed' };

export type DismissOutcome = { id: string; outcome: 'dismissed' | 'not-found' | 'already-replayed' };

/** Bounds of a dismissal's reason (projector.parked_events_dismissal_reason_length). */
export const DISMISSAL_REASON_MAX = 500;

/**
 * Operators' view of parked events: list them, and replay one after the cause was fixed (a
 * corrected projector, a repaired row). A replay applies the event with the same code and
 * version guards as the live projection, under the partition's checkpoint lock so it never races
 * a batch: a lifecycle event older than its row is `superseded` (newer events already moved the
 * row on); otherwise it is `applied`. A replay that fails again keeps the event parked. An event
 * that will never apply is `dismissed` with a reason: the read model does without it and the
 * projection's readiness no longer waits for it.
 */
export class ParkedEventsService {
  private readonly repository = new ParkedEventsRepository();

  private readonly personalData: PersonalDataVault;

  constructor(
    private readonly pool: Pool,
    personalDataKeys: PersonalDataKeys,
    private readonly target: ProjectionTarget = ProjectionTarget.live(),
    private readonly engine = new ProjectionEngine(READ_MODELS, new PersonalDataVault(pool, personalDataKeys)),
  ) {
    this.personalData = new PersonalDataVault(pool, personalDataKeys);
  }

  list(options: { includeReplayed?: boolean; limit?: number } = {}): Promise<ParkedEvent[]> {
    return this.repository.list(this.pool, this.target.parkedProjection, options);
  }

  countWaiting(): Promise<number> {
    return this.repository.countWaiting(this.pool, this.target.parkedProjection);
  }

  async dismiss(id: string, reason: string): Promise<DismissOutcome> {
    const text = reason.trim();
    if (text.length === 0 || [...text].length > DISMISSAL_REASON_MAX) {
      throw new RangeError(`a dismissal needs a reason of 1..${DISMISSAL_REASON_MAX} characters`);
    }
    if (!/^\d{1,19}$/.test(id)) return { id, outcome: 'not-found' };
    return { id, outcome: await this.repository.markDismissed(this.pool, this.target.parkedProjection, id, text) };
  }

  async replayAll(): Promise<ReplayOutcome[]> {
    const outcomes: ReplayOutcome[] = [];
    for (;;) {
      const waiting = (await this.list({ limit: 100 })).filter((p) => !outcomes.some((o) => o.id === p.id));
      if (waiting.length === 0) return outcomes;
      for (const parked of waiting) outcomes.push(await this.replay(parked.id));
    }
  }

  async replay(id: string): Promise<ReplayOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const statement of this.target.transactionSettings) await client.query(statement);
      const found = await this.repository.lockForReplay(client, id);
      if (!found || found.parked.projection !== this.target.parkedProjection) {
        await client.query('ROLLBACK');
        return { id, outcome: 'not-found' };
      }
      if (found.parked.replayedAt !== null) {
        await client.query('ROLLBACK');
        return { id, outcome: 'already-replayed' };
      }
      const { record } = found;
      await client.query(
        `SELECT 1 FROM ${this.target.checkpointTable} WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
        [this.target.projection, record.topic, record.partition],
      );
      await client.query(this.target.partitionLockStatement(record.partition));
      const decoded = decodeRecord(record, this.personalData);
      await client.query('SAVEPOINT replay');
      let outcome: ReplayOutcome;
      try {
        const result = await this.engine.apply(client, [decoded]);
        if (result.rejected.length > 0) {
          const { rejection } = result.rejected[0];
          await client.query('ROLLBACK TO SAVEPOINT replay');
          await this.repository.markFailedAgain(client, id, rejection.message, rejection.code);
          outcome = { id, outcome: 'failed', reason: rejection.message, errorCode: rejection.code };
        } else {
          const kind = result.changed.size > 0 ? 'applied' : 'superseded';
          await this.repository.markReplayed(client, id, kind);
          outcome = { id, outcome: kind };
        }
      } catch (error) {
        if (classifyFailure(error) !== 'poison') throw error;
        await client.query('ROLLBACK TO SAVEPOINT replay');
        await this.repository.markFailedAgain(client, id, (error as Error).message, errorCodeOf(error));
        outcome = { id, outcome: 'failed', reason: (error as Error).message, errorCode: errorCodeOf(error) };
      }
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
