import type { EventEnvelope } from '@vinsight/contracts';
import { BatchEvent, foldEvents } from '../../engine/fold';
import { envelope, FIXED_TIME, id } from '../../testing/envelopes';
import { evolveUser, UserRow, userKeyOf } from './users.evolve';

const HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const at = (minute: number) => new Date(Date.parse(FIXED_TIME) + minute * 60_000).toISOString();
const batch = (events: EventEnvelope[], keyOf: (e: EventEnvelope) => string): BatchEvent[] =>
  events.map((e, index) => ({ index, envelope: e, key: keyOf(e) }));

describe('users projection', () => {
  const registered = envelope('UserRegistered', { userId: id('user'), email: 'Ann@example.com', passwordHash: HASH, role: 'admin' });

  it('registers, logs in and removes a user', () => {
    const events = [
      registered,
      envelope('UserLoggedIn', { userId: id('user'), at: at(5) }, { version: 2, occurredAt: at(5) }),
      envelope('UserRemoved', { userId: id('user') }, { version: 3, occurredAt: at(6) }),
    ];
    const user = foldEvents(batch(events, userKeyOf), new Map(), (r) => r.version, evolveUser).changed.get(`${id('tenant')}|${id('user')}`);
    expect(user).toEqual<UserRow>({
      tenantId: id('tenant'),
      id: id('user'),
      email: 'Ann@example.com',
      passwordHash: HASH,
      role: 'admin',
      isActive: false,
      lastLoginAt: at(5),
      version: 3,
      createdAt: FIXED_TIME,
      updatedAt: at(6),
      deletedAt: at(6),
    });
  });

  it('refuses a password that is not a bcrypt hash', () => {
    expect(() =>
      evolveUser(undefined, envelope('UserRegistered', { userId: id('user'), email: 'a@b.c', passwordHash: 'secret', role: 'user' })),
    ).toThrow(/passwordHash/);
  });

  it('refuses an event whose userId is not its aggregate', () => {
    expect(() => userKeyOf(envelope('UserDeactivated', { userId: id('user') }, { aggregateId: id('other') }))).toThrow(/aggregateId/);
  });
});
