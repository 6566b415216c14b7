import { AES_KEY_BYTES, GCM_IV_BYTES, gcmOpen, gcmSeal, newIv } from './aes-gcm';

/** A key-encryption key (KEK) and the id stored beside every data key it wraps. */
export interface KeyEncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

/** A data key as stored: wrapped (IV || ciphertext || tag) by the KEK named `kekId`. */
export interface WrappedDataKey {
  readonly kekId: string;
  readonly wrapped: Buffer;
}

/** The user a data key belongs to. */
export interface UserRef {
  readonly tenantId: string;
  readonly userId: string;
}

export const userRefKey = (ref: UserRef): string => `${ref.tenantId}|${ref.userId}`;

/** A KEK id: what the key store keeps beside a wrapped key, so it must stay short and plain. */
export const KEK_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * `<id>:<base64 of 32 bytes>`, the form of DATA_KEY_ENCRYPTION_KEY and of each entry of
 * DATA_KEY_ENCRYPTION_KEYS_PREVIOUS. Throws with what is wrong (never with the key itself).
 */
export function parseKeyEncryptionKey(text: string): KeyEncryptionKey {
  const colon = text.indexOf(':');
  if (colon < 0) throw new Error('must be <id>:<base64 of 32 bytes>');
  const id = text.slice(0, colon).trim();
  if (!KEK_ID.test(id)) throw new Error('the id before ":" may hold only letters, digits, ".", "_" and "-" (1 to 64)');
  const encoded = text.slice(colon + 1).trim();
  const key = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== AES_KEY_BYTES) {
    throw new Error(`the key after ":" must be base64 of exactly ${AES_KEY_BYTES} bytes`);
  }
  return { id, key };
}

/** A comma-separated list of `<id>:<base64>` (DATA_KEY_ENCRYPTION_KEYS_PREVIOUS). */
export function parseKeyEncryptionKeys(text: string): KeyEncryptionKey[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map(parseKeyEncryptionKey);
}

/**
 * The current KEK, which wraps every new data key, and the previous ones, which still unwrap the
 * keys they wrapped until `projections keys rewrap` has moved those to the current one.
 */
export class KeyRing {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(
    readonly current: KeyEncryptionKey,
    previous: readonly KeyEncryptionKey[] = [],
  ) {
    const byId = new Map<string, Buffer>();
    for (const kek of [current, ...previous]) {
      if (byId.has(kek.id)) throw new Error(`two key-encryption keys have the id ${kek.id}`);
      byId.set(kek.id, kek.key);
    }
    this.byId = byId;
  }

  wrap(owner: UserRef, dataKey: Buffer): WrappedDataKey {
    const iv = newIv();
    return { kekId: this.current.id, wrapped: Buffer.concat([iv, gcmSeal(this.current.key, iv, dataKey, wrapAad(owner))]) };
  }

  /** Throws when the KEK is unknown here or the wrapped key is not this owner's. */
  unwrap(owner: UserRef, stored: WrappedDataKey): Buffer {
    const kek = this.byId.get(stored.kekId);
    if (kek === undefined)
      throw new Error(`data key of user ${owner.userId} is wrapped by key-encryption key ${stored.kekId}, which is not configured`);
    return gcmOpen(kek, stored.wrapped.subarray(0, GCM_IV_BYTES), stored.wrapped.subarray(GCM_IV_BYTES), wrapAad(owner));
  }

  isCurrent(stored: WrappedDataKey): boolean {
    return stored.kekId === this.current.id;
  }
}

const wrapAad = (owner: UserRef): Buffer => Buffer.from(`vinsight:data-key:${owner.tenantId}:${owner.userId}`, 'utf8');
