import type { Pool, PoolClient } from 'pg';
import { SourceRecord, headersAsText } from '../events/source-record';
import { unnestRows, UnnestColumn } from '../sql/unnest';

export interface ParkedRecord {
  readonly record: SourceRecord;
  readonly reason: string;
  readonly errorCode: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly tenantId?: string;
}

export interface ParkedEvent {
  id: string;
  projection: string;
  topic: string;
  partition: number;
  offset: bigint;
  eventId: string | null;
  eventType: string | null;
  tenantId: string | null;
  reason: string;
  errorCode: string;
  parkedAt: Date;
  replayCount: number;
  replayedAt: Date | null;
  replayOutcome: string | null;
  dismissalReason: string | null;
}

const MAX_REASON = 2000;

/** projector.parked_events: events a projection could not apply, with the reason. */
export class ParkedEventsRepository {
  async park(client: PoolClient, projection: string, parked: readonly ParkedRecord[]): Promise<void> {
    if (parked.length === 0) return;
    const columns: UnnestColumn<ParkedRecord>[] = [
      { name: 'projection', type: 'text', value: () => projection },
      { name: 'topic', type: 'text', value: (p) => p.record.topic },
      { name: 'partition', type: 'integer', value: (p) => p.record.partition },
      { name: 'record_offset', type: 'bigint', value: (p) => p.record.offset.toString() },
      { name: 'record_key', type: 'text', value: (p) => p.record.key?.toString('utf8') ?? null },
      { name: 'record_value', type: 'bytea', value: (p) => p.record.value },
      { name: 'headers', type: 'jsonb', value: (p) => JSON.stringify(headersAsText(p.record.headers)) },
      { name: 'event_id', type: 'uuid', value: (p) => p.eventId ?? null },
      { name: 'event_type', type: 'text', value: (p) => p.eventType ?? null },
      { name: 'tenant_id', type: 'uuid', value: (p) => p.tenantId ?? null },
      { name: 'reason', type: 'text', value: (p) => p.reason.slice(0, MAX_REASON) },
      { name: 'error_code', type: 'text', value: (p) => p.errorCode },
    ];
    const { from, params } = unnestRows(columns, parked);
    await client.query(
      `INSERT INTO projector.parked_events (projection, topic, partition, "offset", record_key, record_value, headers,
                                            event_id, event_type, tenant_id, reason, error_code)
       SELECT * FROM ${from}
       ON CONFLICT (projection, topic, partition, "offset") DO NOTHING`,
      params,
    );
  }

  async list(pool: Pool, projection: string, options: { includeReplayed?: boolean; limit?: number } = {}): Promise<ParkedEvent[]> {
    const { rows } = await pool.query(
      `SELECT id, projection, topic, partition, "offset", event_id, event_type, tenant_id, reason, error_code, parked_at,
              replay_count, replayed_at, replay_outcome, dismissal_reason
       FROM projector.parked_events
       WHERE projection = $1 AND ($2 OR replayed_at IS NULL)
       ORDER BY id LIMIT $3`,
      [projection, options.includeReplayed ?? false, options.limit ?? 100],
    );
    return rows.map(toParkedEvent);
  }

  /** The parked row with its raw record, locked for a replay. */
  async lockForReplay(client: PoolClient, id: string): Promise<{ parked: ParkedEvent; record: SourceRecord } | null> {
    const { rows } = await client.query(
      `SELECT id, projection, topic, partition, "offset", record_key, record_value, headers, event_id, event_type, tenant_id,
              reason, error_code, parked_at, replay_count, replayed_at, replay_outcome, dismissal_reason
       FROM projector.parked_events WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    const headers = Object.fromEntries(
      Object.entries(row.headers as Record<string, string | string[]>).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.map((v) => Buffer.from(v)) : Buffer.from(value),
      ]),
    );
    return {
      parked: toParkedEvent(row),
      record: {
        topic: row.topic,
        partition: row.partition,
        offset: BigInt(row.offset),
        key: row.record_key === null ? null : Buffer.from(row.record_key, 'utf8'),
        value: row.record_value,
        headers,
      },
    };
  }

  async markReplayed(client: PoolClient, id: string, outcome: 'applied' | 'superseded'): Promise<void> {
    await client.query(
      `UPDATE projector.parked_events SET replayed_at = now(), replay_outcome = $2, replay_count = replay_count + 1 WHERE id = $1`,
      [id, outcome],
    );
  }

  /** Resolves a parked event without applying it; false when it is not this projection's or already resolved. */
  async markDismissed(pool: Pool, projection: string, id: string, reason: string): Promise<'dismissed' | 'not-found' | 'already-replayed'> {
    const { rows } = await pool.query<{ replayed: boolean }>(
      `WITH target AS (SELECT id, replayed_at IS NOT NULL AS replayed FROM projector.parked_events WHERE id = $1 AND projection = $2 FOR UPDATE),
            dismissed AS (UPDATE projector.parked_events p SET replayed_at = now(), replay_outcome = 'dismissed', dismissal_reason = $3
                           FROM target WHERE p.id = target.id AND NOT target.replayed RETURNING p.id)
       SELECT replayed FROM target`,
      [id, projection, reason],
    );
    if (rows.length === 0) return 'not-found';
    return rows[0].replayed ? 'already-replayed' : 'dismissed';
  }

  async markFailedAgain(client: PoolClient, id: string, reason: string, errorCode: string): Promise<void> {
    await client.query(`UPDATE projector.parked_events SET reason = $2, error_code = $3, replay_count = replay_count + 1 WHERE id = $1`, [
      id,
      reason.slice(0, MAX_REASON),
      errorCode,
    ]);
  }

  /** Parked events of these topics not replayed yet: the topics of one deployment (its prefix), not of others sharing the database. */
  async countWaitingOn(pool: Pool, projection: string, topics: readonly string[]): Promise<number> {
    const { rows } = await pool.query<{ count: string }>(
      `SELECT count(*) FROM projector.parked_events WHERE projection = $1 AND replayed_at IS NULL AND topic = ANY($2::text[])`,
      [projection, topics],
    );
    return Number(rows[0].count);
  }

  async countWaiting(pool: Pool, projection: string): Promise<number> {
    const { rows } = await pool.query<{ count: string }>(
      `SELECT count(*) FROM projector.parked_events WHERE projection = $1 AND replayed_at IS NULL`,
      [projection],
    );
    return Number(rows[0].count);
  }
}

function toParkedEvent(row: Record<string, unknown>): ParkedEvent {
  return {
    id: String(row.id),
    projection: row.projection as string,
    topic: row.topic as string,
    partition: row.partition as number,
    offset: BigInt(row.offset as string),
    eventId: row.event_id as string | null,
    eventType: row.event_type as string | null,
    tenantId: row.tenant_id as string | null,
    reason: row.reason as string,
    errorCode: row.error_code as string,
    parkedAt: row.parked_at as Date,
    replayCount: row.replay_count as number,
    replayedAt: row.replayed_at as Date | null,
    replayOutcome: row.replay_outcome as string | null,
    dismissalReason: (row.dismissal_reason as string | null | undefined) ?? null,
  };
}
