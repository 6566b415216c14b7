import type { UserRole } from './user.commands';
import type { UserEvent } from './user.events';

export interface User {
  readonly lifecycle: 'active' | 'deactivated' | 'removed';
  readonly id: string;
  /** As registered (trimmed); uniqueness compares it case-insensitively. */
  readonly email: string;
  readonly role: UserRole;
  readonly version: number;
}

export interface NoUser {
  readonly lifecycle: 'absent';
  readonly version: 0;
}

export type UserState = NoUser | User;

export const initialUserState = (): UserState => ({ lifecycle: 'absent', version: 0 });

export function evolveUser(state: UserState, event: UserEvent): UserState {
  if (event.type === 'UserRegistered') {
    const { userId, email, role } = event.data;
    return { lifecycle: 'active', id: userId, email, role, version: state.version + 1 };
  }
  if (state.lifecycle === 'absent') return state;
  const version = state.version + 1;
  switch (event.type) {
    case 'UserRoleChanged':
      return { ...state, role: event.data.role, version };
    case 'UserDeactivated':
      return { ...state, lifecycle: 'deactivated', version };
    case 'UserReactivated':
      return { ...state, lifecycle: 'active', version };
    case 'UserLoggedIn':
      return { ...state, version };
    case 'UserRemoved':
      return { ...state, lifecycle: 'removed', version };
  }
}

export const emailKey = (email: string): string => email.trim().toLowerCase();
