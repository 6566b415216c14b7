/**
 * Postgres NOTIFY channels through which the projector tells read API processes what its
 * transactions changed. NOTIFY is transactional: a notification is delivered when, and only if,
 * the transaction that sent it commits, so a listener never hears of rows it cannot read yet.
 * Payloads stay small (NOTIFY caps them at 8,000 bytes); the rows themselves are read afterwards.
 */
/**
 * The live projection's name in `projection_checkpoints`, which the projector writes and the read
 * API waits on for X-Consistency-Token: it never changes, not even across a rebuild.
 */
export const READ_MODELS_PROJECTION = 'read-models';

export const READ_MODEL_CHANNELS = {
  /** A live read-models checkpoint moved: `<partition>:<nextOffset>:<topic>`. */
  checkpoint: 'vinsight_checkpoint',
  /** Credentials or tenant state changed (api_keys, tenants): the tenant id, or `*` for every tenant. */
  credentials: 'vinsight_credentials',
} as const;

/** Beyond this many tenants changed in one transaction, one `*` notification replaces them. */
export const MAX_TENANT_NOTIFICATIONS = 100;

export const EVERY_TENANT = '*';

export interface CheckpointNotice {
  topic: string;
  partition: number;
  nextOffset: bigint;
}

export function checkpointPayload(notice: CheckpointNotice): string {
  return `${notice.partition}:${notice.nextOffset}:${notice.topic}`;
}

/** SQL expression of the payload, for statements that notify about the rows they wrote. */
export const CHECKPOINT_PAYLOAD_SQL = (alias: string) => `${alias}.partition || ':' || ${alias}.next_offset || ':' || ${alias}.topic`;

/** Null for a payload nobody should have sent (any database user may NOTIFY). */
export function parseCheckpointPayload(payload: string): CheckpointNotice | null {
  const match = /^(\d{1,5}):(\d{1,19}):(.{1,249})$/.exec(payload);
  if (!match) return null;
  return { partition: Number(match[1]), nextOffset: BigInt(match[2]), topic: match[3] };
}

/** The credentials notifications of a transaction that changed these tenants. */
export function credentialPayloads(tenantIds: Iterable<string>): string[] {
  const distinct = [...new Set(tenantIds)];
  return distinct.length > MAX_TENANT_NOTIFICATIONS ? [EVERY_TENANT] : distinct;
}
