import type { EventEnvelope } from '@vinsight/contracts';
import { BatchEvent, foldEvents } from '../../engine/fold';
import { envelope, FIXED_TIME, id } from '../../testing/envelopes';
import { ERASED, evolveUser, UserRow, userKeyOf } from './users.evolve';

const HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
const at = (minute: number) => new Date(Date.parse(FIXED_TIME) + minute * 60_000).toISOString();
const batch = (events: EventEnvelope[], keyOf: (e: EventEnvelope) => string): BatchEvent[] =>
  events.map((e, index) => ({ index, envelope: e, key: keyOf(e) }));

describe('users projection', () => {
  const registeredWith = (personal: { email: string; passwordHash: string } | null) =>
    envelope('UserRegistered', { userId: id('user'), role: 'admin', emailHash: 'a'.repeat(64), personal });
  /** As the read model folds it: `personal` opened with the user's data key. */
  const registered = registeredWith({ email: 'Ann@example.com', passwordHash: HASH });

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
    expect(() => evolveUser(undefined, registeredWith({ email: 'a@b.c', passwordHash: 'secret' }))).toThrow(/passwordHash/);
  });

  it('shows the erased marker for a user whose data key is gone, and after UserErased', () => {
    const keyGone = evolveUser(undefined, registeredWith(null));
    expect(keyGone).toMatchObject({ email: ERASED, passwordHash: ERASED, isActive: true, deletedAt: null });
    const erased = evolveUser(
      evolveUser(undefined, registered),
      envelope('UserErased', { userId: id('user') }, { version: 2, occurredAt: at(9) }),
    );
    expect(erased).toMatchObject({ email: ERASED, passwordHash: ERASED, isActive: false, deletedAt: at(9), version: 2, role: 'admin' });
  });

  it('refuses personal fields that were not opened', () => {
    const sealed = { alg: 'A256GCM', iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'AAAA' };
    expect(() => evolveUser(undefined, registeredWith(sealed as never))).toThrow(/personal/);
  });

  it('refuses an event whose userId is not its aggregate', () => {
    expect(() => userKeyOf(envelope('UserDeactivated', { userId: id('user') }, { aggregateId: id('other') }))).toThrow(/aggregateId/);
  });
});
