import { isSealedPersonalData, UserRef, userRefKey } from '@vinsight/personal-data';
import { foldAggregates } from '../../engine/fold';
import { lifecycleEvents, ReadModel, ReadModelContext } from '../../engine/read-model';
import { DecodedEvent } from '../../events/decode-event';
import { ProjectionRejection } from '../../events/projection-rejection';
import { evolveUser, USER_EVENTS, userKeyOf } from './users.evolve';
import { loadUsers, upsertUsers } from './users.sql';

/** `users`: one row per user, folded from its User* events. */
export const usersReadModel: ReadModel = {
  name: 'users',
  tables: ['users'],
  canHandle: USER_EVENTS,
  async handle(events, context) {
    const lifecycle = lifecycleEvents(events);
    const refused = await openPersonalData(lifecycle, context);
    const { changed, loaded } = await foldAggregates(
      refused.size === 0 ? lifecycle : lifecycle.filter((e) => !refused.has(e)),
      { keyOf: userKeyOf, load: loadUsers, versionOf: (r) => r.version, evolve: evolveUser },
      context,
    );
    await upsertUsers(context.client, changed, loaded);
  },
};

/**
 * Opens the sealed personal fields of the batch's registrations in place, with one read of
 * user_data_keys (in the batch's transaction) for all of them. A user whose key is gone
 * (erased) gets `personal: null`, which the fold turns into the erased marker; a sealed value
 * that does not open under its user's key is refused (parked), never guessed at. Returns the
 * events refused.
 */
async function openPersonalData(events: readonly DecodedEvent[], context: ReadModelContext): Promise<Set<DecodedEvent>> {
  const sealed = events.filter((e) => e.envelope.type === 'UserRegistered' && isSealedPersonalData(personalOf(e)));
  const refused = new Set<DecodedEvent>();
  if (sealed.length === 0) return refused;
  const ownerOf = (e: DecodedEvent): UserRef => ({ tenantId: e.envelope.tenantId, userId: e.envelope.aggregateId });
  const keys = await context.personalData.existingDataKeys(sealed.map(ownerOf), context.client);
  for (const e of sealed) {
    const key = keys.get(userRefKey(ownerOf(e)));
    const payload = e.envelope.payload as Record<string, unknown>;
    if (key === undefined) {
      payload.personal = null;
      continue;
    }
    try {
      payload.personal = context.personalData.open(ownerOf(e), key, personalOf(e) as never);
    } catch {
      refused.add(e);
      context.reject(e, new ProjectionRejection('INVALID_PAYLOAD', 'payload.personal does not open under the data key of its user'));
    }
  }
  return refused;
}

const personalOf = (e: DecodedEvent): unknown => (e.envelope.payload as { personal?: unknown }).personal;
