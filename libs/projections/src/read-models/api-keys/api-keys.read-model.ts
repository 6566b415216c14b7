import { foldAggregates } from '../../engine/fold';
import { lifecycleEvents, ReadModel } from '../../engine/read-model';
import { API_KEY_EVENTS, apiKeyKeyOf, evolveApiKey } from './api-keys.evolve';
import { loadApiKeys, upsertApiKeys } from './api-keys.sql';

/** `api_keys`: one row per API key (its token's SHA-256 only), folded from ApiKeyIssued and ApiKeyRevoked. */
export const apiKeysReadModel: ReadModel = {
  name: 'api-keys',
  tables: ['api_keys'],
  canHandle: API_KEY_EVENTS,
  async handle(events, context) {
    const { changed } = await foldAggregates(
      lifecycleEvents(events),
      { keyOf: apiKeyKeyOf, load: loadApiKeys, versionOf: (r) => r.version, evolve: evolveApiKey },
      context,
    );
    await upsertApiKeys(context.client, changed);
    // a revoked key stops authenticating as soon as this commits
    context.credentialsChanged(changed.map((row) => row.tenantId));
  },
};
