import type { UserRole } from './user.commands';
import type { UserEvent } from './user.events';

export interface User {
  /** `erased`: removed, and its personal data shredded; its id stays taken like a removed one's. */
  readonly lifecycle: 'active' | 'deactivated' | 'removed' | 'erased';
  readonly id: string;
  /**
   * The keyed hash of the email (DecisionPorts.emailHashOf), never the email itself: the write
   * state is snapshotted and rebuilt from the log, where personal data is sealed. Null once erased.
   */
  readonly emailHash: string | null;
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
    const { userId, emailHash, role } = event.data;
    return { lifecycle: 'active', id: userId, emailHash, role, version: state.version + 1 };
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
    case 'UserErased':
      return { ...state, lifecycle: 'erased', emailHash: null, version };
  }
}

/** The email as uniqueness compares it (case-insensitive); the input of the keyed email hash. */
export const emailKey = (email: string): string => email.trim().toLowerCase();

/** Whether the user holds its email against others: removed and erased users free it. */
export const holdsEmail = (user: User): boolean => user.lifecycle === 'active' || user.lifecycle === 'deactivated';
