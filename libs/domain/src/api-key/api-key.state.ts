import type { ApiKeyEvent } from './api-key.events';

export interface ApiKey {
  readonly lifecycle: 'active' | 'revoked';
  readonly id: string;
  readonly name: string;
  /** Kept so a second key with the same token hash can be refused within the tenant. */
  readonly tokenSha256: string;
  readonly expiresAt: Date | null;
  readonly version: number;
}

export interface NoApiKey {
  readonly lifecycle: 'absent';
  readonly version: 0;
}

export type ApiKeyState = NoApiKey | ApiKey;

export const initialApiKeyState = (): ApiKeyState => ({ lifecycle: 'absent', version: 0 });

export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case 'ApiKeyIssued': {
      const { apiKeyId, name, tokenSha256, expiresAt } = event.data;
      return {
        lifecycle: 'active',
        id: apiKeyId,
        name,
        tokenSha256,
        expiresAt: expiresAt ?? null,
        version: state.version + 1,
      };
    }
    case 'ApiKeyRevoked':
      if (state.lifecycle === 'absent') return state;
      return { ...state, lifecycle: 'revoked', version: state.version + 1 };
  }
}
