import type { Event } from '../shared/event';
import type { UserRole } from './user.commands';

/**
 * UserRegistered carries the bcrypt hash because the users read model keeps it (for a future
 * login service); the read API never selects it, and the write state does not keep it.
 */
export type UserRegistered = Event<'UserRegistered', { userId: string; email: string; passwordHash: string; role: UserRole }>;
export type UserRoleChanged = Event<'UserRoleChanged', { userId: string; role: UserRole; previousRole: UserRole }>;
export type UserDeactivated = Event<'UserDeactivated', { userId: string }>;
export type UserReactivated = Event<'UserReactivated', { userId: string }>;
export type UserLoggedIn = Event<'UserLoggedIn', { userId: string; at: Date }>;
export type UserRemoved = Event<'UserRemoved', { userId: string }>;

export type UserEvent = UserRegistered | UserRoleChanged | UserDeactivated | UserReactivated | UserLoggedIn | UserRemoved;
