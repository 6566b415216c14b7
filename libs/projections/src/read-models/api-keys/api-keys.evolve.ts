import type { EventEnvelope } from '@vinsight/contracts';
import { TEXT_RULES } from '@vinsight/domain';
import type { EventType } from '@vinsight/domain';
import { reject } from '../../events/projection-rejection';
import { fields } from '../payload-fields';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A row of `api_keys`. */
export interface ApiKeyRow {
  tenantId: string;
  id: string;
  name: string;
  tokenSha256: string;
  expiresAt: string | null;
  revokedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const API_KEY_EVENTS: readonly EventType[] = ['ApiKeyIssued', 'ApiKeyRevoked'];

export function apiKeyKeyOf(e: EventEnvelope): string {
  const apiKeyId = fields(e.payload).uuid('apiKeyId');
  if (apiKeyId !== e.aggregateId) reject('INVALID_PAYLOAD', 'payload.apiKeyId differs from the aggregateId');
  return `${e.tenantId}|${apiKeyId}`;
}

/** The api_keys read model: only the token's SHA-256 is ever stored. */
export function evolveApiKey(row: ApiKeyRow | undefined, e: EventEnvelope): ApiKeyRow {
  const p = fields(e.payload);
  if (e.type === 'ApiKeyIssued') {
    if (row) reject('INVALID_PAYLOAD', `api key ${e.aggregateId} already exists`);
    return {
      tenantId: e.tenantId,
      id: e.aggregateId,
      name: p.text('name', TEXT_RULES.apiKeyName),
      tokenSha256: p.text('tokenSha256', { min: 64, max: 64 }, SHA256_HEX),
      expiresAt: p.optionalTime('expiresAt'),
      revokedAt: null,
      version: e.version,
      createdAt: e.occurredAt,
      updatedAt: e.occurredAt,
    };
  }
  if (!row) return reject('UNKNOWN_AGGREGATE', `api key ${e.aggregateId} was never issued`);
  if (e.type === 'ApiKeyRevoked') return { ...row, revokedAt: e.occurredAt, version: e.version, updatedAt: e.occurredAt };
  return reject('UNSUPPORTED_EVENT', `${e.type} is not an api key event`);
}
