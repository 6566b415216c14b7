import type { Event } from '../shared/event';

export type ApiKeyIssued = Event<'ApiKeyIssued', { apiKeyId: string; name: string; tokenSha256: string; expiresAt?: Date }>;
export type ApiKeyRevoked = Event<'ApiKeyRevoked', { apiKeyId: string }>;

export type ApiKeyEvent = ApiKeyIssued | ApiKeyRevoked;
