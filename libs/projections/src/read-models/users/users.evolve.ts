import type { EventEnvelope } from '@vinsight/contracts';
import { TEXT_RULES } from '@vinsight/domain';
import type { EventType } from '@vinsight/domain';
import { reject } from '../../events/projection-rejection';
import { isSealedPersonalData } from '@vinsight/personal-data';
import { fields } from '../payload-fields';

const BCRYPT_HASH = /^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$/;
const EMAIL = /^.+@.+$/s;
const ROLES = ['owner', 'admin', 'user'] as const;

/**
 * What the users read model holds in `email` and `password_hash` once a user's personal data is
 * erased, or when its data key is gone (a rebuild after the erasure): the columns stay NOT NULL
 * and every reader sees one obvious value (migration 000029 allows it in both CHECKs).
 */
export const ERASED = '[erased]';

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
  'UserErased',
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
    // `personal` is opened (users.read-model.ts) before the fold: in the clear, or null once its key is gone.
    const personal = (e.payload as { personal?: unknown }).personal;
    if (personal !== null && (typeof personal !== 'object' || isSealedPersonalData(personal))) {
      reject('INVALID_PAYLOAD', 'payload.personal must be the sealed personal fields');
    }
    const fieldsOf = personal === null ? null : fields(personal as object);
    return {
      tenantId: e.tenantId,
      id: e.aggregateId,
      email: fieldsOf === null ? ERASED : fieldsOf.text('email', TEXT_RULES.email, EMAIL),
      passwordHash: fieldsOf === null ? ERASED : fieldsOf.text('passwordHash', { min: 60, max: 60 }, BCRYPT_HASH),
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
    case 'UserErased':
      return { ...next, email: ERASED, passwordHash: ERASED, isActive: false, deletedAt: row.deletedAt ?? e.occurredAt };
    default:
      return reject('UNSUPPORTED_EVENT', `${e.type} is not a user event`);
  }
}
