import { GCM_IV_BYTES, gcmOpen, gcmSeal } from './aes-gcm';
import type { UserRef } from './key-ring';

/** The personal fields of a user event (UserRegistered v2 `personal`), in the clear. */
export interface PersonalData {
  readonly email: string;
  readonly passwordHash: string;
}

/** `personal` as written to Kafka (asyncapi.yaml, SealedPersonalData): AES-256-GCM under the user's data key. */
export interface SealedPersonalData {
  readonly alg: 'A256GCM';
  /** base64 of the 12-byte IV. */
  readonly iv: string;
  /** base64 of the ciphertext of the JSON {email, passwordHash}, followed by the 16-byte tag. */
  readonly ciphertext: string;
}

export const SEALED_ALGORITHM = 'A256GCM';

export function isSealedPersonalData(value: unknown): value is SealedPersonalData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.alg === SEALED_ALGORITHM && typeof v.iv === 'string' && typeof v.ciphertext === 'string';
}

/** Seals the personal fields of one user under its data key; the IV comes in so the result is reproducible in tests. */
export function sealPersonalData(owner: UserRef, dataKey: Buffer, personal: PersonalData, iv: Buffer): SealedPersonalData {
  const plaintext = Buffer.from(JSON.stringify({ email: personal.email, passwordHash: personal.passwordHash }), 'utf8');
  return {
    alg: SEALED_ALGORITHM,
    iv: iv.toString('base64'),
    ciphertext: gcmSeal(dataKey, iv, plaintext, personalAad(owner)).toString('base64'),
  };
}

/** Opens what sealPersonalData sealed for this user; throws for another key, user or altered bytes. */
export function openPersonalData(owner: UserRef, dataKey: Buffer, sealed: SealedPersonalData): PersonalData {
  const iv = Buffer.from(sealed.iv, 'base64');
  if (iv.length !== GCM_IV_BYTES) throw new Error('sealed personal data has a malformed IV');
  const json = gcmOpen(dataKey, iv, Buffer.from(sealed.ciphertext, 'base64'), personalAad(owner)).toString('utf8');
  const parsed = JSON.parse(json) as Record<string, unknown>;
  if (typeof parsed.email !== 'string' || typeof parsed.passwordHash !== 'string')
    throw new Error('sealed personal data is not {email, passwordHash}');
  return { email: parsed.email, passwordHash: parsed.passwordHash };
}

/** Binds the ciphertext to its tenant and user: copied into another user's event, it does not open. */
const personalAad = (owner: UserRef): Buffer => Buffer.from(`vinsight:user-personal:${owner.tenantId}:${owner.userId}`, 'utf8');
