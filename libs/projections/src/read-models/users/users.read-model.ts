import { foldAggregates } from '../../engine/fold';
import { lifecycleEvents, ReadModel } from '../../engine/read-model';
import { evolveUser, USER_EVENTS, userKeyOf } from './users.evolve';
import { loadUsers, upsertUsers } from './users.sql';

/** `users`: one row per user, folded from its User* events. */
export const usersReadModel: ReadModel = {
  name: 'users',
  tables: ['users'],
  canHandle: USER_EVENTS,
  async handle(events, context) {
    const { changed, loaded } = await foldAggregates(
      lifecycleEvents(events),
      { keyOf: userKeyOf, load: loadUsers, versionOf: (r) => r.version, evolve: evolveUser },
      context,
    );
    await upsertUsers(context.client, changed, loaded);
  },
};
