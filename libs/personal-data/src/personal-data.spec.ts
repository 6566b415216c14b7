import { newAesKey } from './aes-gcm';
import { emailHasher, parseEmailHashKey } from './email-hash';
import { KeyRing, parseKeyEncryptionKey, parseKeyEncryptionKeys } from './key-ring';
import { isSealedPersonalData, openPersonalData, sealPersonalData } from './personal-fields';
import { testKeyEncryptionKey, testKeyEncryptionKeyText, testPersonalDataKeys, TEST_EMAIL_HASH_KEY_TEXT } from './testing/test-keys';

const ada = { tenantId: '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11', userId: '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10' };
const bob = { ...ada, userId: '8c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10' };
const personal = { email: 'ada@example.com', passwordHash: '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy' };
const iv = Buffer.alloc(12, 7);

describe('personal data sealing', () => {
  it('seals under the data key and opens back, with nothing of the plaintext in the sealed form', () => {
    const key = newAesKey();
    const sealed = sealPersonalData(ada, key, personal, iv);
    expect(isSealedPersonalData(sealed)).toBe(true);
    expect(JSON.stringify(sealed)).not.toMatch(/ada@example|\$2b\$/);
    expect(openPersonalData(ada, key, sealed)).toEqual(personal);
  });

  it('does not open under another key, for another user, or altered', () => {
    const key = newAesKey();
    const sealed = sealPersonalData(ada, key, personal, iv);
    expect(() => openPersonalData(ada, newAesKey(), sealed)).toThrow();
    expect(() => openPersonalData(bob, key, sealed)).toThrow();
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[0] ^= 1;
    expect(() => openPersonalData(ada, key, { ...sealed, ciphertext: bytes.toString('base64') })).toThrow();
  });
});

describe('key ring', () => {
  it('wraps data keys under the current KEK, naming it, and unwraps them', () => {
    const ring = new KeyRing(testKeyEncryptionKey('kek-2'));
    const dataKey = newAesKey();
    const wrapped = ring.wrap(ada, dataKey);
    expect(wrapped.kekId).toBe('kek-2');
    expect(wrapped.wrapped.includes(dataKey)).toBe(false);
    expect(ring.unwrap(ada, wrapped)).toEqual(dataKey);
    expect(() => ring.unwrap(bob, wrapped)).toThrow();
  });

  it('after a rotation, unwraps keys of the previous KEK and wraps new ones under the new one', () => {
    const before = new KeyRing(testKeyEncryptionKey('kek-1'));
    const dataKey = newAesKey();
    const old = before.wrap(ada, dataKey);
    const after = new KeyRing(testKeyEncryptionKey('kek-2'), [testKeyEncryptionKey('kek-1')]);
    expect(after.unwrap(ada, old)).toEqual(dataKey);
    expect(after.isCurrent(old)).toBe(false);
    expect(after.wrap(ada, dataKey).kekId).toBe('kek-2');
    expect(() => new KeyRing(testKeyEncryptionKey('kek-2')).unwrap(ada, old)).toThrow(/kek-1, which is not configured/);
  });

  it('parses <id>:<base64> and says what is wrong without echoing the key', () => {
    expect(parseKeyEncryptionKey(testKeyEncryptionKeyText('k1'))).toEqual(testKeyEncryptionKey('k1'));
    expect(parseKeyEncryptionKeys(`${testKeyEncryptionKeyText('a')}, ${testKeyEncryptionKeyText('b')}`).map((k) => k.id)).toEqual([
      'a',
      'b',
    ]);
    expect(() => parseKeyEncryptionKey('nokey')).toThrow(/<id>:<base64/);
    expect(() => parseKeyEncryptionKey('bad id:AAAA')).toThrow(/id before/);
    expect(() => parseKeyEncryptionKey(`k:${Buffer.alloc(16).toString('base64')}`)).toThrow(/exactly 32 bytes/);
    expect(() => new KeyRing(testKeyEncryptionKey('a'), [testKeyEncryptionKey('a')])).toThrow(/two key-encryption keys/);
  });
});

describe('email hash', () => {
  const hashOf = emailHasher(testPersonalDataKeys().emailHashKey);

  it('is a keyed HMAC-SHA-256 of the email as the domain compares it', () => {
    expect(hashOf(' Ada@Example.COM ')).toBe(hashOf('ada@example.com'));
    expect(hashOf('ada@example.com')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf('ada@example.com')).not.toBe(hashOf('bob@example.com'));
    expect(emailHasher(Buffer.alloc(32, 1))('ada@example.com')).not.toBe(hashOf('ada@example.com'));
  });

  it('takes base64 of at least 32 bytes', () => {
    expect(parseEmailHashKey(TEST_EMAIL_HASH_KEY_TEXT)).toEqual(testPersonalDataKeys().emailHashKey);
    expect(() => parseEmailHashKey(Buffer.alloc(16).toString('base64'))).toThrow(/at least 32 bytes/);
    expect(() => emailHasher(Buffer.alloc(8))).toThrow();
  });
});
