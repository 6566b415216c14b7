import type { Pool, PoolClient } from 'pg';
import type { UserRef, WrappedDataKey } from './key-ring';
import { userRefKey } from './key-ring';

/** A pool or a client inside a transaction (the projector opens keys in its batch's transaction). */
export type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface StoredDataKey extends UserRef, WrappedDataKey {}

interface KeyRow {
  tenant_id: string;
  user_id: string;
  kek_id: string;
  wrapped_key: Buffer;
}

const refParams = (refs: readonly UserRef[]) => [refs.map((r) => r.tenantId), refs.map((r) => r.userId)];
const fromRow = (row: KeyRow): StoredDataKey => ({
  tenantId: row.tenant_id,
  userId: row.user_id,
  kekId: row.kek_id,
  wrapped: row.wrapped_key,
});

/**
 * Table user_data_keys: one wrapped data key per user, set-based (one statement per batch of
 * users, never one per user). Erasure deletes the row; nothing else can open the user's events.
 */
export const dataKeyStore = {
  async load(db: Queryable, refs: readonly UserRef[]): Promise<Map<string, StoredDataKey>> {
    if (refs.length === 0) return new Map();
    const { rows } = await db.query<KeyRow>(
      `SELECT d.tenant_id, d.user_id, d.kek_id, d.wrapped_key
         FROM user_data_keys d JOIN unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, user_id)
           ON d.tenant_id = k.tenant_id AND d.user_id = k.user_id`,
      refParams(refs),
    );
    return new Map(rows.map(fromRow).map((key) => [userRefKey(key), key]));
  },

  /**
   * Inserts the keys of users that have none and returns the users whose key was inserted; a
   * user's existing key is kept (a command retried after an aborted transaction reuses it).
   */
  async insertMissing(db: Queryable, keys: readonly StoredDataKey[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await db.query<{ tenant_id: string; user_id: string }>(
      `INSERT INTO user_data_keys (tenant_id, user_id, kek_id, wrapped_key)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[])
       ON CONFLICT (tenant_id, user_id) DO NOTHING
       RETURNING tenant_id, user_id`,
      [...refParams(keys), keys.map((k) => k.kekId), keys.map((k) => k.wrapped)],
    );
    return new Set(rows.map((row) => userRefKey({ tenantId: row.tenant_id, userId: row.user_id })));
  },

  async destroy(db: Queryable, refs: readonly UserRef[]): Promise<void> {
    if (refs.length === 0) return;
    await db.query(
      `DELETE FROM user_data_keys d USING unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, user_id)
        WHERE d.tenant_id = k.tenant_id AND d.user_id = k.user_id`,
      refParams(refs),
    );
  },

  /** Up to `limit` keys wrapped by another KEK than `currentKekId`. */
  async wrappedByOthers(db: Queryable, currentKekId: string, limit: number): Promise<StoredDataKey[]> {
    const { rows } = await db.query<KeyRow>(
      `SELECT tenant_id, user_id, kek_id, wrapped_key FROM user_data_keys WHERE kek_id <> $1 ORDER BY tenant_id, user_id LIMIT $2`,
      [currentKekId, limit],
    );
    return rows.map(fromRow);
  },

  /** Replaces wrapped keys, each only if it is still wrapped as read (an erasure meanwhile wins). */
  async replaceWrapped(db: Queryable, previous: readonly StoredDataKey[], next: readonly StoredDataKey[]): Promise<number> {
    if (next.length === 0) return 0;
    const result = await db.query(
      `UPDATE user_data_keys d SET kek_id = n.kek_id, wrapped_key = n.wrapped_key, rewrapped_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::text[]) AS n(tenant_id, user_id, kek_id, wrapped_key, old_kek_id)
        WHERE d.tenant_id = n.tenant_id AND d.user_id = n.user_id AND d.kek_id = n.old_kek_id`,
      [...refParams(next), next.map((k) => k.kekId), next.map((k) => k.wrapped), previous.map((k) => k.kekId)],
    );
    return result.rowCount ?? 0;
  },
};
