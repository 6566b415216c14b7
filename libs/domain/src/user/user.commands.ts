import type { Command } from '../shared/command';

export const USER_ROLES = ['owner', 'admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export type RegisterUser = Command<'RegisterUser', { userId: string; email: string; passwordHash: string; role: UserRole }>;
export type ChangeUserRole = Command<'ChangeUserRole', { userId: string; role: UserRole }>;
export type DeactivateUser = Command<'DeactivateUser', { userId: string }>;
export type ReactivateUser = Command<'ReactivateUser', { userId: string }>;
export type RecordUserLogin = Command<'RecordUserLogin', { userId: string; at: Date }>;
export type RemoveUser = Command<'RemoveUser', { userId: string }>;
/** Crypto-shredding of the user's personal data (README, Personal data): irreversible. */
export type EraseUser = Command<'EraseUser', { userId: string }>;

export type UserCommand = RegisterUser | ChangeUserRole | DeactivateUser | ReactivateUser | RecordUserLogin | RemoveUser | EraseUser;
