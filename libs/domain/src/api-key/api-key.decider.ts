import { alreadyExists, invalidState, notFound, validationFailed } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { accept, reject } from '../shared/outcome';
import type { ApiKeyCommand } from './api-key.commands';
import type { ApiKeyEvent } from './api-key.events';
import type { ApiKeyState } from './api-key.state';

export interface ApiKeyDecisionContext {
  /**
   * True when any key of the tenant, revoked ones included, has this token hash: a revoked
   * token must never become valid again through a new key. Uniqueness across tenants cannot be
   * decided on one partition; SHA-256 of a random token makes a cross-tenant clash a non-event.
   */
  readonly isTokenHashInUse: (tokenSha256: string) => boolean;
}

export function decideApiKey(command: ApiKeyCommand, apiKey: ApiKeyState, context: ApiKeyDecisionContext): Outcome<ApiKeyEvent> {
  const { apiKeyId } = command.data;
  switch (command.type) {
    case 'IssueApiKey': {
      if (apiKey.lifecycle !== 'absent') {
        return reject(alreadyExists(`api key ${apiKeyId} already exists`, 'payload.apiKeyId'));
      }
      const { name, tokenSha256, expiresAt } = command.data;
      if (context.isTokenHashInUse(tokenSha256)) {
        return reject(alreadyExists('another api key of this tenant has the same token', 'payload.tokenSha256'));
      }
      // A key that is born expired can never authenticate: almost certainly a caller's mistake.
      if (expiresAt !== undefined && expiresAt.getTime() <= command.metadata.now.getTime()) {
        return reject(validationFailed('payload.expiresAt', 'expiresAt must be in the future'));
      }
      return accept({
        type: 'ApiKeyIssued',
        data: expiresAt === undefined ? { apiKeyId, name, tokenSha256 } : { apiKeyId, name, tokenSha256, expiresAt },
      });
    }
    case 'RevokeApiKey':
      if (apiKey.lifecycle === 'absent') return reject(notFound(`api key ${apiKeyId} does not exist`, 'payload.apiKeyId'));
      if (apiKey.lifecycle === 'revoked') return reject(invalidState(`api key ${apiKeyId} is already revoked`));
      return accept({ type: 'ApiKeyRevoked', data: { apiKeyId } });
  }
}
