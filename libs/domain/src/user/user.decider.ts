import { alreadyExists, invalidState, notFound } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { accept, reject } from '../shared/outcome';
import type { UserCommand } from './user.commands';
import type { UserEvent } from './user.events';
import type { UserState } from './user.state';

export interface UserDecisionContext {
  /** True when a user that is not removed already has this email (case-insensitively). */
  readonly isEmailTaken: (email: string) => boolean;
}

export function decideUser(command: UserCommand, user: UserState, context: UserDecisionContext): Outcome<UserEvent> {
  const { userId } = command.data;

  if (command.type === 'RegisterUser') {
    // A removed user's id stays taken: ids are identities in the event history, never reused.
    if (user.lifecycle !== 'absent') return reject(alreadyExists(`user ${userId} already exists`, 'payload.userId'));
    const { email, passwordHash, role } = command.data;
    if (context.isEmailTaken(email)) {
      return reject(alreadyExists(`a user with email ${email} already exists in this tenant`, 'payload.email'));
    }
    return accept({ type: 'UserRegistered', data: { userId, email, passwordHash, role } });
  }

  if (user.lifecycle === 'absent' || user.lifecycle === 'removed') {
    return reject(notFound(`user ${userId} does not exist`, 'payload.userId'));
  }

  switch (command.type) {
    case 'ChangeUserRole':
      if (command.data.role === user.role) return reject(invalidState(`user ${userId} already has role ${user.role}`));
      return accept({ type: 'UserRoleChanged', data: { userId, role: command.data.role, previousRole: user.role } });
    case 'DeactivateUser':
      if (user.lifecycle === 'deactivated') return reject(invalidState(`user ${userId} is already deactivated`));
      return accept({ type: 'UserDeactivated', data: { userId } });
    case 'ReactivateUser':
      if (user.lifecycle === 'active') return reject(invalidState(`user ${userId} is already active`));
      return accept({ type: 'UserReactivated', data: { userId } });
    case 'RecordUserLogin':
      // A deactivated user cannot have logged in: the login service should have refused them.
      if (user.lifecycle === 'deactivated') return reject(invalidState(`user ${userId} is deactivated`));
      return accept({ type: 'UserLoggedIn', data: { userId, at: command.data.at } });
    case 'RemoveUser':
      return accept({ type: 'UserRemoved', data: { userId } });
  }
}
