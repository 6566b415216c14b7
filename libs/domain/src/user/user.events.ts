import type { Event } from '../shared/event';
import type { UserRole } from './user.commands';

/** A user's personal data: what erasure makes unreadable. */
export interface UserPersonalData {
  readonly email: string;
  readonly passwordHash: string;
}

/**
 * UserRegistered carries the email's keyed hash in the clear (email uniqueness is decided on it)
 * and the personal fields apart: the command processor seals `personal` under the user's data
 * key before the event is written, and a reader that cannot open it (the key destroyed by
 * erasure, or a reader without keys, such as the write-state rebuild) sees `null`. The bcrypt
 * hash is kept for a future login service; the read API never selects it.
 */
export type UserRegistered = Event<
  'UserRegistered',
  { userId: string; role: UserRole; emailHash: string; personal: UserPersonalData | null }
>;
export type UserRoleChanged = Event<'UserRoleChanged', { userId: string; role: UserRole; previousRole: UserRole }>;
export type UserDeactivated = Event<'UserDeactivated', { userId: string }>;
export type UserReactivated = Event<'UserReactivated', { userId: string }>;
export type UserLoggedIn = Event<'UserLoggedIn', { userId: string; at: Date }>;
export type UserRemoved = Event<'UserRemoved', { userId: string }>;
/** The user's data key was destroyed: its personal data can no longer be read anywhere. */
export type UserErased = Event<'UserErased', { userId: string }>;

export type UserEvent = UserRegistered | UserRoleChanged | UserDeactivated | UserReactivated | UserLoggedIn | UserRemoved | UserErased;
