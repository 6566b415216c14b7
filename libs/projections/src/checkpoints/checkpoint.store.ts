import { CHECKPOINT_PAYLOAD_SQL, READ_MODEL_CHANNELS } from '@vinsight/database';
import { escapeLiteral } from 'pg';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { ProjectionTarget } from '../projection-target';

export interface StoredCheckpoint {
  topic: string;
  partition: number;
  nextOffset: bigint;
}

/**
 * The per-(projection, topic, partition) checkpoints: the offset of the next record to apply,
 * written in the same transaction as the rows of the batch that reached it.
 */
export class CheckpointStore {
  constructor(private readonly target: ProjectionTarget) {}

  /**
   * Locks the partition's checkpoint row for this transaction (creating it at 0 when the
   * partition was never applied) and returns it. The lock makes a batch exclusive: a consumer that
   * lost its partition without noticing waits here, then sees how far the new owner got.
   */
  async lock(client: PoolClient, topic: string, partition: number): Promise<bigint> {
    const select = `SELECT next_offset FROM ${this.target.checkpointTable} WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`;
    const params = [this.target.projection, topic, partition];
    let { rows } = await client.query<{ next_offset: string }>(select, params);
    if (rows.length === 0) {
      await client.query(
        `INSERT INTO ${this.target.checkpointTable} (projection, topic, partition, next_offset) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
        params,
      );
      ({ rows } = await client.query<{ next_offset: string }>(select, params));
    }
    return BigInt(rows[0].next_offset);
  }

  /**
   * `lock`'s row lock as one statement with literal values, for a message that carries other
   * statements too (the batch's BEGIN); `lockedOffset` reads its result.
   */
  lockStatement(topic: string, partition: number): string {
    return `SELECT next_offset FROM ${this.target.checkpointTable} WHERE ${this.rowLiterals(topic, partition)} FOR UPDATE`;
  }

  /** The checkpoint from the lock statement's result; a partition never applied gets its row here (`lock`). */
  async lockedOffset(client: PoolClient, topic: string, partition: number, result: QueryResult<{ next_offset: string }>): Promise<bigint> {
    return result.rows.length > 0 ? BigInt(result.rows[0].next_offset) : this.lock(client, topic, partition);
  }

  /**
   * Moves the checkpoint forward (never back) to `nextOffset`: one statement with literal values,
   * for the message that also commits the batch.
   */
  advanceStatement(topic: string, partition: number, nextOffset: bigint): string {
    return this.notifying(`UPDATE ${this.target.checkpointTable} SET next_offset = ${nextOffset}, updated_at = now()
       WHERE ${this.rowLiterals(topic, partition)} AND next_offset < ${nextOffset}`);
  }

  private rowLiterals(topic: string, partition: number): string {
    if (!Number.isSafeInteger(partition) || partition < 0) throw new Error(`not a partition number: ${partition}`);
    return `projection = ${escapeLiteral(this.target.projection)} AND topic = ${escapeLiteral(topic)} AND partition = ${partition}`;
  }

  /**
   * Moves past a fetch that held only transaction markers (or aborted records): nothing to apply,
   * but the checkpoint should reach the end of the log. Only when the checkpoint sits inside
   * [first, last], so no record is ever skipped.
   */
  async advancePastControlRecords(pool: Pool, topic: string, partition: number, first: bigint, last: bigint): Promise<void> {
    await pool.query(
      this.notifying(`INSERT INTO ${this.target.checkpointTable} AS c (projection, topic, partition, next_offset) VALUES ($1, $2, $3, $5)
       ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()
       WHERE c.next_offset >= $4 AND c.next_offset < EXCLUDED.next_offset`),
      [this.target.projection, topic, partition, first.toString(), (last + 1n).toString()],
    );
  }

  /**
   * The statement, made to also notify readers of the checkpoint rows it moved (live target
   * only), in the same statement and so in the same transaction: read API requests waiting for a
   * position wake when the rows that include it are committed, not at their next poll.
   */
  private notifying(statement: string): string {
    if (!this.target.notifiesReaders) return statement;
    return `WITH moved AS (${statement} RETURNING partition, next_offset, topic)
      SELECT pg_notify('${READ_MODEL_CHANNELS.checkpoint}', ${CHECKPOINT_PAYLOAD_SQL('moved')}) FROM moved`;
  }

  async all(pool: Pool | PoolClient): Promise<StoredCheckpoint[]> {
    const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset FROM ${this.target.checkpointTable} WHERE projection = $1 ORDER BY topic, partition`,
      [this.target.projection],
    );
    return rows.map((r) => ({ topic: r.topic, partition: r.partition, nextOffset: BigInt(r.next_offset) }));
  }
}
