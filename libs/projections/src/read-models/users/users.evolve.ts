import type { EventEnvelope } from '@vinsight/contracts';
import { TEXT_RULES } from '@vinsight/domain';
import type { EventType } from '@vinsight/domain';
import { reject } from '../../events/projection-rejection';
import { fields } from '../payload-fields';

const BCRYPT_HASH = /^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$/;
const EMAIL = /^.+@.+$/s;
const ROLES = ['owner', 'admin', 'user'] as const;

/** A row of `users`. */
export interface UserRow {
  tenantId: string;
  id: string;
  email: string;
  passwordHash: string;
  role: string;
  isActive: boolean;
  lastLoginAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export const USER_EVENTS: readonly EventType[] = [
  'UserRegistered',
  'UserRoleChanged',
  'UserDeactivated',
  'UserReactivated',
  'UserLoggedIn',
  'UserRemoved',
];

export function userKeyOf(e: EventEnvelope): string {
  const userId = fields(e.payload).uuid('userId');
  if (userId !== e.aggregateId) reject('INVALID_PAYLOAD', 'payload.userId differs from the aggregateId');
  return `${e.tenantId}|${userId}`;
}

/** The users read model (the hash is stored for a login service; the read API never sees it). */
export function evolveUser(row: UserRow | undefined, e: EventEnvelope): UserRow {
  const p = fields(e.payload);
  if (e.type === 'UserRegistered') {
    if (row) reject('INVALID_PAYLOAD', `user ${e.aggregateId} already exists`);
    return {
      tenantId: e.tenantId,
      id: e.aggregateId,
      email: p.text('email', TEXT_RULES.email, EMAIL),
      passwordHash: p.text('passwordHash', { min: 60, max: 60 }, BCRYPT_HASH),
      role: p.has('role') ? p.oneOf('role', ROLES) : 'user',
      isActive: true,
      lastLoginAt: null,
      version: e.version,
      createdAt: e.occurredAt,
      updatedAt: e.occurredAt,
      deletedAt: null,
    };
  }
  if (!row) return reject('UNKNOWN_AGGREGATE', `user ${e.aggregateId} was never registered`);
  const next = { ...row, version: e.version, updatedAt: e.occurredAt };
  switch (e.type) {
    case 'UserRoleChanged':
      return { ...next, role: p.oneOf('role', ROLES) };
    case 'UserDeactivated':
      return { ...next, isActive: false };
    case 'UserReactivated':
      return { ...next, isActive: true };
    case 'UserLoggedIn':
      return { ...next, lastLoginAt: p.time('at') };
    case 'UserRemoved':
      return { ...next, isActive: false, deletedAt: e.occurredAt };
    default:
      return reject('UNSUPPORTED_EVENT', `${e.type} is not a user event`);
  }
}
