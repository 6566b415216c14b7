import { createHash } from 'node:crypto';
import type { CreateApiKeyRequest } from '../arguments/cli-arguments';
import { API_KEY_TOKEN_BYTES, createApiKeySecret, issueApiKeyEnvelope } from './api-key-token';

const TENANT = '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11';
const API_KEY_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const context = { newId: () => '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10', now: () => new Date('2025-01-15T12:00:00.000Z') };
const fixedBytes = (size: number) => Buffer.alloc(size, 0xfb);

describe('API key secret', () => {
  it('is vik_ and 32 random bytes in base64url, with the SHA-256 of the whole token', () => {
    const requested: number[] = [];
    const secret = createApiKeySecret((size) => {
      requested.push(size);
      return fixedBytes(size);
    });
    expect(requested).toEqual([API_KEY_TOKEN_BYTES]);
    expect(secret.token).toBe(`vik_${Buffer.alloc(32, 0xfb).toString('base64url')}`);
    expect(secret.token).toMatch(/^vik_[A-Za-z0-9_-]{43}$/);
    expect(secret.tokenSha256).toBe(createHash('sha256').update(secret.token).digest('hex'));
    expect(secret.tokenSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a short read of randomness rather than issue a weak token', () => {
    expect(() => createApiKeySecret(() => Buffer.alloc(16))).toThrow(/expected 32 random bytes/);
  });
});

describe('issueApiKeyEnvelope', () => {
  const request: CreateApiKeyRequest = { kind: 'api-key-create', tenantId: TENANT, name: 'deploy', timeoutMs: 1000 };

  it('carries the hash and never the token', () => {
    const secret = createApiKeySecret(fixedBytes);
    const envelope = issueApiKeyEnvelope({ ...request, expiresAt: '2026-01-01T00:00:00Z', issuedBy: 'ops' }, API_KEY_ID, secret, context);
    expect(envelope).toEqual({
      commandId: '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10',
      type: 'IssueApiKey',
      tenantId: TENANT,
      issuedBy: 'ops',
      issuedAt: '2025-01-15T12:00:00.000Z',
      payload: { apiKeyId: API_KEY_ID, name: 'deploy', tokenSha256: secret.tokenSha256, expiresAt: '2026-01-01T00:00:00Z' },
    });
    expect(JSON.stringify(envelope)).not.toContain(secret.token.slice(4));
  });

  it('leaves expiresAt out when none was given', () => {
    const envelope = issueApiKeyEnvelope(request, API_KEY_ID, createApiKeySecret(fixedBytes), context);
    expect(envelope.payload).not.toHaveProperty('expiresAt');
  });
});
