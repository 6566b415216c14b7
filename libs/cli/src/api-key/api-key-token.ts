import { createHash } from 'node:crypto';
import type { CreateApiKeyRequest } from '../arguments/cli-arguments';
import { buildCommandEnvelope, EnvelopeContext, OutgoingEnvelope } from '../envelope/command-envelope.builder';

export const API_KEY_TOKEN_PREFIX = 'vik_';
export const API_KEY_TOKEN_BYTES = 32;

export interface ApiKeySecret {
  /** Shown once to the operator, never published, never stored. */
  readonly token: string;
  /** What the service keeps and the read API looks tokens up by: SHA-256 of the whole token. */
  readonly tokenSha256: string;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** `vik_` + 32 random bytes in base64url (43 characters): 256 bits of secret. */
export function createApiKeySecret(randomBytes: (size: number) => Buffer): ApiKeySecret {
  const bytes = randomBytes(API_KEY_TOKEN_BYTES);
  if (bytes.length !== API_KEY_TOKEN_BYTES) throw new Error(`expected ${API_KEY_TOKEN_BYTES} random bytes, got ${bytes.length}`);
  const token = API_KEY_TOKEN_PREFIX + bytes.toString('base64url');
  return { token, tokenSha256: sha256Hex(token) };
}

/** The IssueApiKey command: it carries only the hash, never the token. */
export function issueApiKeyEnvelope(
  request: CreateApiKeyRequest,
  apiKeyId: string,
  secret: Pick<ApiKeySecret, 'tokenSha256'>,
  context: EnvelopeContext,
): OutgoingEnvelope {
  return buildCommandEnvelope(
    {},
    {
      type: 'IssueApiKey',
      tenantId: request.tenantId,
      payload: {
        apiKeyId,
        name: request.name,
        tokenSha256: secret.tokenSha256,
        ...(request.expiresAt !== undefined && { expiresAt: request.expiresAt }),
      },
    },
    { issuedBy: request.issuedBy },
    context,
  );
}
