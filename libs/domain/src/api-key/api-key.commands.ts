import type { Command } from '../shared/command';

export type IssueApiKey = Command<'IssueApiKey', { apiKeyId: string; name: string; tokenSha256: string; expiresAt?: Date }>;
export type RevokeApiKey = Command<'RevokeApiKey', { apiKeyId: string }>;

export type ApiKeyCommand = IssueApiKey | RevokeApiKey;
