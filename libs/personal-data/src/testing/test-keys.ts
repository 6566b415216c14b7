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

const PERSONAL_DATA_VARIABLES = [
  'DATA_KEY_ENCRYPTION_KEY',
  'DATA_KEY_ENCRYPTION_KEY_FILE',
  'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS',
  'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS_FILE',
  'EMAIL_HASH_KEY',
  'EMAIL_HASH_KEY_FILE',
] as const;

/** The variables a spawned command processor or projector needs in tests: the test keys. */
export const PERSONAL_DATA_TEST_ENVIRONMENT: { readonly DATA_KEY_ENCRYPTION_KEY: string; readonly EMAIL_HASH_KEY: string } = {
  DATA_KEY_ENCRYPTION_KEY: testKeyEncryptionKeyText(),
  EMAIL_HASH_KEY: TEST_EMAIL_HASH_KEY_TEXT,
};

/**
 * For benchmarks and tools that start roles: the personal-data variables of `env` when it sets any
 * (say, keys from deploy/local/personal-data-keys.sh), else the test keys.
 */
export function personalDataEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const given = Object.fromEntries(PERSONAL_DATA_VARIABLES.filter((name) => env[name]).map((name) => [name, env[name]!]));
  return Object.keys(given).length > 0 ? given : { ...PERSONAL_DATA_TEST_ENVIRONMENT };
}
