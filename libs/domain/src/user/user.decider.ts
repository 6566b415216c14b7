import { alreadyExists, invalidState, notFound } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { accept, reject } from '../shared/outcome';
import type { UserCommand } from './user.commands';
import type { UserEvent } from './user.events';
import type { UserState } from './user.state';

export interface UserDecisionContext {
  /** The keyed hash of an email (DecisionPorts.emailHashOf). */
  readonly emailHashOf: (email: string) => string;
  /** True when a user that holds its email (not removed, not erased) has this email hash. */
  readonly isEmailHashTaken: (emailHash: string) => boolean;
}

export function decideUser(command: UserCommand, user: UserState, context: UserDecisionContext): Outcome<UserEvent> {
  const { userId } = command.data;
  if (command.type === 'RegisterUser') {
    // A removed user's id stays taken: ids are identities in the event history, never reused.
    if (user.lifecycle !== 'absent') return reject(alreadyExists(`user ${userId} already exists`, 'payload.userId'));
    const { email, passwordHash, role } = command.data;
    const emailHash = context.emailHashOf(email);
    // The message does not repeat the email: results are kept longer than commands.
    if (context.isEmailHashTaken(emailHash))
      return reject(alreadyExists('a user with this email already exists in this tenant', 'payload.email'));
    return accept({ type: 'UserRegistered', data: { userId, role, emailHash, personal: { email, passwordHash } } });
  }
  if (command.type === 'EraseUser') {
    if (user.lifecycle === 'absent') return reject(notFound(`user ${userId} does not exist`, 'payload.userId'));
    // Erasure is idempotent: asked again (a retry, a second request), it is done already.
    if (user.lifecycle === 'erased') return accept();
    return accept({ type: 'UserErased', data: { userId } });
  }
  if (user.lifecycle === 'absent' || user.lifecycle === 'removed' || user.lifecycle === 'erased') {
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
