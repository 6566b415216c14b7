import { newAesKey, newIv } from './aes-gcm';
import { dataKeyStore, Queryable, StoredDataKey } from './data-key.store';
import { emailHasher } from './email-hash';
import { KeyRing, UserRef, userRefKey } from './key-ring';
import { openPersonalData, PersonalData, SealedPersonalData, sealPersonalData } from './personal-fields';

/** The keys of the personal-data feature, as the configuration gives them. */
export interface PersonalDataKeys {
  readonly keyRing: KeyRing;
  readonly emailHashKey: Buffer;
}

/**
 * Per-user data keys (AES-256-GCM) kept wrapped by the KEK in user_data_keys: create, seal,
 * open, destroy. Every call takes a batch of users and costs one statement per step, because
 * the command processor and the projector handle users a slice at a time.
 */
export class PersonalDataVault {
  readonly emailHashOf: (email: string) => string;
  readonly keyRing: KeyRing;

  constructor(
    private readonly db: Queryable,
    keys: PersonalDataKeys,
  ) {
    this.keyRing = keys.keyRing;
    this.emailHashOf = emailHasher(keys.emailHashKey);
  }

  /**
   * The data keys of these users, created and wrapped by the current KEK: one INSERT for the
   * batch. A user that has a key already (its command retried after an aborted transaction) keeps
   * it, read back by one SELECT, so that every event of a user is sealed under the one stored key.
   */
  async dataKeysFor(owners: readonly UserRef[]): Promise<Map<string, Buffer>> {
    const fresh = uniqueRefs(owners).map((owner) => ({ owner, key: newAesKey() }));
    if (fresh.length === 0) return new Map();
    const inserted = await dataKeyStore.insertMissing(
      this.db,
      fresh.map(({ owner, key }): StoredDataKey => ({ ...owner, ...this.keyRing.wrap(owner, key) })),
    );
    const keys = new Map(fresh.filter(({ owner }) => inserted.has(userRefKey(owner))).map(({ owner, key }) => [userRefKey(owner), key]));
    const existing = fresh.filter(({ owner }) => !inserted.has(userRefKey(owner))).map(({ owner }) => owner);
    for (const [ref, key] of await this.existingDataKeys(existing)) keys.set(ref, key);
    return keys;
  }

  /** The data keys that exist, unwrapped; an erased user (or one that never had a key) is absent. */
  async existingDataKeys(owners: readonly UserRef[], db: Queryable = this.db): Promise<Map<string, Buffer>> {
    if (owners.length === 0) return new Map();
    const stored = await dataKeyStore.load(db, uniqueRefs(owners));
    return new Map([...stored].map(([ref, key]) => [ref, this.keyRing.unwrap(key, key)]));
  }

  seal(owner: UserRef, dataKey: Buffer, personal: PersonalData): SealedPersonalData {
    return sealPersonalData(owner, dataKey, personal, newIv());
  }

  open(owner: UserRef, dataKey: Buffer, sealed: SealedPersonalData): PersonalData {
    return openPersonalData(owner, dataKey, sealed);
  }

  /** Crypto-shredding: once the rows are gone, nothing written under these keys can be opened again. */
  async destroy(owners: readonly UserRef[]): Promise<void> {
    await dataKeyStore.destroy(this.db, uniqueRefs(owners));
  }

  /** Rewraps every data key wrapped by a previous KEK under the current one, a page at a time; returns how many. */
  async rewrapAll(pageSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const page = await dataKeyStore.wrappedByOthers(this.db, this.keyRing.current.id, pageSize);
      if (page.length === 0) return total;
      const next = page.map((stored) => ({ ...stored, ...this.keyRing.wrap(stored, this.keyRing.unwrap(stored, stored)) }));
      total += await dataKeyStore.replaceWrapped(this.db, page, next);
      if (page.length < pageSize) return total;
    }
  }
}

function uniqueRefs(owners: readonly UserRef[]): UserRef[] {
  return [...new Map(owners.map((owner) => [userRefKey(owner), { tenantId: owner.tenantId, userId: owner.userId }])).values()];
}
