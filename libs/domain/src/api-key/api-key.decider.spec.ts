import { spec } from '../testing/decider-specification';
import { TOKEN_SHA256, commands, events } from '../testing/domain-factories';
import { FIXED_NOW, secondsFromNow } from '../testing/fixed-clock';
import { newId } from '../testing/test-ids';

describe('api key decider', () => {
  const tenantId = newId();
  const meta = { tenantId };
  const created = events.tenantCreated({ tenantId });

  describe('IssueApiKey', () => {
    it('issues a key, with or without an expiry', () => {
      const apiKeyId = newId();
      const expiresAt = secondsFromNow(3600);
      const decision = spec([created])
        .when(commands.issueApiKey({ apiKeyId, name: 'deploy', tokenSha256: 'b'.repeat(64), expiresAt }, meta))
        .then([{ type: 'ApiKeyIssued', data: { apiKeyId, name: 'deploy', tokenSha256: 'b'.repeat(64), expiresAt } }]);
      expect(decision).toMatchObject({ aggregateType: 'api-key', aggregateId: apiKeyId, version: 1 });

      const forever = newId();
      spec([created])
        .when(commands.issueApiKey({ apiKeyId: forever }, meta))
        .then([{ type: 'ApiKeyIssued', data: { apiKeyId: forever, name: 'CI key', tokenSha256: TOKEN_SHA256 } }]);
    });

    it('rejects an id already taken, even by a revoked key, with ALREADY_EXISTS', () => {
      const issued = events.apiKeyIssued();
      const { apiKeyId } = issued.data;
      spec([created, issued])
        .when(commands.issueApiKey({ apiKeyId, tokenSha256: 'c'.repeat(64) }, meta))
        .thenFails('ALREADY_EXISTS', 'payload.apiKeyId');
      spec([created, issued, events.apiKeyRevoked({ apiKeyId })])
        .when(commands.issueApiKey({ apiKeyId, tokenSha256: 'c'.repeat(64) }, meta))
        .thenFails('ALREADY_EXISTS');
    });

    it('rejects a token hash used by another key of the tenant, revoked ones included, with ALREADY_EXISTS', () => {
      const issued = events.apiKeyIssued({ tokenSha256: 'd'.repeat(64) });
      spec([created, issued])
        .when(commands.issueApiKey({ tokenSha256: 'd'.repeat(64) }, meta))
        .thenFails('ALREADY_EXISTS', 'payload.tokenSha256');
      spec([created, issued, events.apiKeyRevoked({ apiKeyId: issued.data.apiKeyId })])
        .when(commands.issueApiKey({ tokenSha256: 'd'.repeat(64) }, meta))
        .thenFails('ALREADY_EXISTS', 'payload.tokenSha256');
    });

    it('rejects an expiry that is not in the future with VALIDATION_FAILED', () => {
      spec([created])
        .when(commands.issueApiKey({ expiresAt: FIXED_NOW }, meta))
        .thenFails('VALIDATION_FAILED', 'payload.expiresAt');
    });

    it('rejects with NOT_FOUND without a tenant, TENANT_INACTIVE for an inactive one, CONFLICT on a stale version', () => {
      spec([]).when(commands.issueApiKey({}, meta)).thenFails('NOT_FOUND');
      spec([created, events.tenantDeactivated()]).when(commands.issueApiKey({}, meta)).thenFails('TENANT_INACTIVE');
      const issued = events.apiKeyIssued();
      spec([created, issued])
        .when(commands.issueApiKey({ apiKeyId: issued.data.apiKeyId }, { ...meta, expectedVersion: 0 }))
        .thenFails('CONFLICT');
    });
  });

  describe('RevokeApiKey', () => {
    it('revokes an active key, expired ones included', () => {
      const issued = events.apiKeyIssued({ expiresAt: secondsFromNow(-60) });
      const { apiKeyId } = issued.data;
      const decision = spec([created, issued])
        .when(commands.revokeApiKey({ apiKeyId }, meta))
        .then([{ type: 'ApiKeyRevoked', data: { apiKeyId } }]);
      expect(decision.version).toBe(2);
    });

    it('rejects a revoked key with INVALID_STATE', () => {
      const issued = events.apiKeyIssued();
      const { apiKeyId } = issued.data;
      spec([created, issued, events.apiKeyRevoked({ apiKeyId })])
        .when(commands.revokeApiKey({ apiKeyId }, meta))
        .thenFails('INVALID_STATE');
    });

    it('rejects an unknown key with NOT_FOUND', () => {
      spec([created]).when(commands.revokeApiKey({}, meta)).thenFails('NOT_FOUND', 'payload.apiKeyId');
    });

    it('rejects an inactive tenant with TENANT_INACTIVE and a stale version with CONFLICT', () => {
      const issued = events.apiKeyIssued();
      const { apiKeyId } = issued.data;
      spec([created, issued, events.tenantDeactivated()]).when(commands.revokeApiKey({ apiKeyId }, meta)).thenFails('TENANT_INACTIVE');
      spec([created, issued])
        .when(commands.revokeApiKey({ apiKeyId }, { ...meta, expectedVersion: 2 }))
        .thenFails('CONFLICT');
    });
  });
});
