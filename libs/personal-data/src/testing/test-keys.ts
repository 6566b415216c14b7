import { createHash } from 'node:crypto';
import type { KeyEncryptionKey } from '../key-ring';
import { KeyRing } from '../key-ring';
import type { PersonalDataKeys } from '../personal-data.vault';

/** Deterministic 32-byte test keys: never use them anywhere but tests. */
const testBytes = (label: string): Buffer => createHash('sha256').update(`vinsight test key: ${label}`).digest();

export const testKeyEncryptionKey = (id = 'test-kek-1'): KeyEncryptionKey => ({ id, key: testBytes(id) });

/** The environment form (`<id>:<base64>`) of a test KEK. */
export const testKeyEncryptionKeyText = (id = 'test-kek-1'): string => `${id}:${testBytes(id).toString('base64')}`;

export const TEST_EMAIL_HASH_KEY_TEXT = testBytes('email-hash').toString('base64');

export const testPersonalDataKeys = (currentKekId = 'test-kek-1', previousKekIds: readonly string[] = []): PersonalDataKeys => ({
  keyRing: new KeyRing(
    testKeyEncryptionKey(currentKekId),
    previousKekIds.map((id) => testKeyEncryptionKey(id)),
  ),
  emailHashKey: testBytes('email-hash'),
});
