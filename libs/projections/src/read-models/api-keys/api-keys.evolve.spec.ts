import type { EventEnvelope } from '@vinsight/contracts';
import { BatchEvent, foldEvents } from '../../engine/fold';
import { envelope, FIXED_TIME, id } from '../../testing/envelopes';
import { ApiKeyRow, apiKeyKeyOf, evolveApiKey } from './api-keys.evolve';

const at = (minute: number) => new Date(Date.parse(FIXED_TIME) + minute * 60_000).toISOString();
const batch = (events: EventEnvelope[], keyOf: (e: EventEnvelope) => string): BatchEvent[] =>
  events.map((e, index) => ({ index, envelope: e, key: keyOf(e) }));

describe('api keys projection', () => {
  it('issues and revokes a key, keeping only the hash', () => {
    const sha = 'a'.repeat(64);
    const events = [
      envelope('ApiKeyIssued', { apiKeyId: id('key'), name: 'ci', tokenSha256: sha, expiresAt: at(60) }),
      envelope('ApiKeyRevoked', { apiKeyId: id('key') }, { version: 2, occurredAt: at(3) }),
    ];
    const key = foldEvents(batch(events, apiKeyKeyOf), new Map(), (r) => r.version, evolveApiKey).changed.get(
      `${id('tenant')}|${id('key')}`,
    );
    expect(key).toEqual<ApiKeyRow>({
      tenantId: id('tenant'),
      id: id('key'),
      name: 'ci',
      tokenSha256: sha,
      expiresAt: at(60),
      revokedAt: at(3),
      version: 2,
      createdAt: FIXED_TIME,
      updatedAt: at(3),
    });
  });
});
