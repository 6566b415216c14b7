import { createHmac } from 'node:crypto';
import { emailKey } from '@vinsight/domain';

/** The shortest EMAIL_HASH_KEY accepted: HMAC-SHA-256's block of security. */
export const EMAIL_HASH_KEY_MIN_BYTES = 32;

/**
 * Email uniqueness without the email: HMAC-SHA-256 under EMAIL_HASH_KEY of the email as the
 * domain compares it (`emailKey`: trimmed, lower case), hex. Keyed, so that the hashes in the log
 * cannot be matched against a list of addresses by anyone without the key.
 */
export function emailHasher(key: Buffer): (email: string) => string {
  if (key.length < EMAIL_HASH_KEY_MIN_BYTES) throw new Error(`the email hash key needs at least ${EMAIL_HASH_KEY_MIN_BYTES} bytes`);
  return (email) => createHmac('sha256', key).update(emailKey(email), 'utf8').digest('hex');
}

/** EMAIL_HASH_KEY's form: base64 of at least 32 bytes. Throws with what is wrong. */
export function parseEmailHashKey(text: string): Buffer {
  const encoded = text.trim();
  const key = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length < EMAIL_HASH_KEY_MIN_BYTES) {
    throw new Error(`must be base64 of at least ${EMAIL_HASH_KEY_MIN_BYTES} bytes`);
  }
  return key;
}
