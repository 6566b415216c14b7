import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM: 32-byte keys, 96-bit IVs (NIST SP 800-38D's recommended length), 128-bit tags. */
export const AES_KEY_BYTES = 32;
export const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

/** A fresh random IV; never reuse one under the same key. */
export const newIv = (): Buffer => randomBytes(GCM_IV_BYTES);

/** A fresh random AES-256 key. */
export const newAesKey = (): Buffer => randomBytes(AES_KEY_BYTES);

/**
 * Encrypts `plaintext` under `key`, authenticating `aad` with it (the data the ciphertext belongs
 * to: a sealed value moved to another user's event fails to open). Returns ciphertext || tag.
 */
export function gcmSeal(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  if (key.length !== AES_KEY_BYTES) throw new Error(`an AES-256 key has ${AES_KEY_BYTES} bytes, not ${key.length}`);
  if (iv.length !== GCM_IV_BYTES) throw new Error(`a GCM IV has ${GCM_IV_BYTES} bytes, not ${iv.length}`);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Opens what gcmSeal returned; throws when the key, IV, AAD or bytes are not the ones sealed. */
export function gcmOpen(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < GCM_TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES)), decipher.final()]);
}
