import type { IssueApiKey, RevokeApiKey } from '../api-key/api-key.commands';
import type { ApiKeyIssued, ApiKeyRevoked } from '../api-key/api-key.events';
import type { CommandOfType, CommandType } from '../domain-command';
import type { CancelMaintenance, ScheduleMaintenance } from '../maintenance/maintenance.commands';
import type { MaintenanceCancelled, MaintenanceScheduled } from '../maintenance/maintenance.events';
import type {
  CreateMonitor,
  DeleteMonitor,
  PauseMonitor,
  RecordCheckResult,
  ResumeMonitor,
  UpdateMonitor,
} from '../monitor/monitor.commands';
import type {
  CheckRecorded,
  MonitorCreated,
  MonitorDeleted,
  MonitorPaused,
  MonitorResumed,
  MonitorMaintenanceEnded,
  MonitorMaintenanceStarted,
  MonitorStatusChanged,
  MonitorUpdated,
} from '../monitor/monitor.events';
import type { CommandMetadata } from '../shared/command';
import type {
  ChangeTenantPlan,
  CreateTenant,
  DeactivateTenant,
  DeleteTenant,
  ReactivateTenant,
  RenameTenant,
} from '../tenant/tenant.commands';
import type {
  TenantCreated,
  TenantDeactivated,
  TenantDeleted,
  TenantPlanChanged,
  TenantReactivated,
  TenantRenamed,
} from '../tenant/tenant.events';
import type { DecisionPorts } from '../tenant-write-state/tenant-write-state.decider';
import type {
  ChangeUserRole,
  DeactivateUser,
  EraseUser,
  ReactivateUser,
  RecordUserLogin,
  RegisterUser,
  RemoveUser,
} from '../user/user.commands';
import type {
  UserDeactivated,
  UserErased,
  UserLoggedIn,
  UserReactivated,
  UserRegistered,
  UserRemoved,
  UserRoleChanged,
} from '../user/user.events';
import { emailKey } from '../user/user.state';
import { FIXED_NOW } from './fixed-clock';
import { newId } from './test-ids';

/** A syntactically valid bcrypt hash ($2b$, cost 10, 53 characters of salt and hash). */
export const BCRYPT_HASH = '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';
export const TOKEN_SHA256 = 'a'.repeat(64);

/**
 * A stand-in for the keyed email hash in pure tests: as deterministic and case-insensitive as the
 * real one (libs/personal-data, emailHasher), and like it free of the email itself (tests grep
 * written events for the address), without crypto in the domain: FNV-1a, 32 bits, hex.
 */
export const testEmailHashOf = (email: string): string => {
  let hash = 0x811c9dc5;
  for (const char of emailKey(email)) hash = Math.imul(hash ^ char.codePointAt(0)!, 0x01000193) >>> 0;
  return `test-email-hash-${hash.toString(16).padStart(8, '0')}`;
};
export const TEST_DECISION_PORTS: DecisionPorts = { emailHashOf: testEmailHashOf };

export function aMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  const commandId = overrides.commandId ?? newId();
  return {
    commandId,
    tenantId: newId(),
    correlationId: commandId,
    now: FIXED_NOW,
    ...overrides,
  };
}

function command<T extends CommandType>(type: T, data: CommandOfType<T>['data'], metadata: Partial<CommandMetadata>): CommandOfType<T> {
  return { type, data, metadata: aMetadata(metadata) } as CommandOfType<T>;
}

type Meta = Partial<CommandMetadata>;

/** Commands with valid defaults; override any data field, and any metadata field. */
export const commands = {
  createTenant: (data: Partial<CreateTenant['data']> = {}, meta: Meta = {}): CreateTenant =>
    command('CreateTenant', { name: 'Acme Corp', slug: 'acme-corp', plan: 'free', ...data }, meta),
  renameTenant: (data: Partial<RenameTenant['data']> = {}, meta: Meta = {}): RenameTenant =>
    command('RenameTenant', { name: 'Acme Renamed', ...data }, meta),
  changeTenantPlan: (data: Partial<ChangeTenantPlan['data']> = {}, meta: Meta = {}): ChangeTenantPlan =>
    command('ChangeTenantPlan', { plan: 'pro', ...data }, meta),
  deactivateTenant: (data: Partial<DeactivateTenant['data']> = {}, meta: Meta = {}): DeactivateTenant =>
    command('DeactivateTenant', { ...data }, meta),
  reactivateTenant: (meta: Meta = {}): ReactivateTenant => command('ReactivateTenant', {}, meta),
  deleteTenant: (meta: Meta = {}): DeleteTenant => command('DeleteTenant', {}, meta),

  registerUser: (data: Partial<RegisterUser['data']> = {}, meta: Meta = {}): RegisterUser => {
    const userId = data.userId ?? newId();
    return command(
      'RegisterUser',
      { userId, email: `user-${userId.slice(-6)}@example.com`, passwordHash: BCRYPT_HASH, role: 'user', ...data },
      meta,
    );
  },
  changeUserRole: (data: Partial<ChangeUserRole['data']> = {}, meta: Meta = {}): ChangeUserRole =>
    command('ChangeUserRole', { userId: newId(), role: 'admin', ...data }, meta),
  deactivateUser: (data: Partial<DeactivateUser['data']> = {}, meta: Meta = {}): DeactivateUser =>
    command('DeactivateUser', { userId: newId(), ...data }, meta),
  reactivateUser: (data: Partial<ReactivateUser['data']> = {}, meta: Meta = {}): ReactivateUser =>
    command('ReactivateUser', { userId: newId(), ...data }, meta),
  recordUserLogin: (data: Partial<RecordUserLogin['data']> = {}, meta: Meta = {}): RecordUserLogin =>
    command('RecordUserLogin', { userId: newId(), at: FIXED_NOW, ...data }, meta),
  removeUser: (data: Partial<RemoveUser['data']> = {}, meta: Meta = {}): RemoveUser =>
    command('RemoveUser', { userId: newId(), ...data }, meta),
  eraseUser: (data: Partial<EraseUser['data']> = {}, meta: Meta = {}): EraseUser =>
    command('EraseUser', { userId: newId(), ...data }, meta),

  issueApiKey: (data: Partial<IssueApiKey['data']> = {}, meta: Meta = {}): IssueApiKey =>
    command('IssueApiKey', { apiKeyId: newId(), name: 'CI key', tokenSha256: TOKEN_SHA256, ...data }, meta),
  revokeApiKey: (data: Partial<RevokeApiKey['data']> = {}, meta: Meta = {}): RevokeApiKey =>
    command('RevokeApiKey', { apiKeyId: newId(), ...data }, meta),

  createMonitor: (data: Partial<CreateMonitor['data']> = {}, meta: Meta = {}): CreateMonitor =>
    command('CreateMonitor', { monitorId: newId(), name: 'Homepage', url: 'https://example.com/', checkInterval: 300, ...data }, meta),
  updateMonitor: (data: Partial<UpdateMonitor['data']> = {}, meta: Meta = {}): UpdateMonitor =>
    command('UpdateMonitor', { monitorId: newId(), ...data }, meta),
  pauseMonitor: (data: Partial<PauseMonitor['data']> = {}, meta: Meta = {}): PauseMonitor =>
    command('PauseMonitor', { monitorId: newId(), ...data }, meta),
  resumeMonitor: (data: Partial<ResumeMonitor['data']> = {}, meta: Meta = {}): ResumeMonitor =>
    command('ResumeMonitor', { monitorId: newId(), ...data }, meta),
  deleteMonitor: (data: Partial<DeleteMonitor['data']> = {}, meta: Meta = {}): DeleteMonitor =>
    command('DeleteMonitor', { monitorId: newId(), ...data }, meta),
  recordCheckResult: (data: Partial<RecordCheckResult['data']> = {}, meta: Meta = {}): RecordCheckResult =>
    command(
      'RecordCheckResult',
      { monitorId: newId(), checkId: newId(), status: 'up', responseTimeMs: 120, statusCode: 200, checkedAt: FIXED_NOW, ...data },
      meta,
    ),

  /** A one-off window of the whole tenant, from an hour before FIXED_NOW to an hour after. */
  scheduleMaintenance: (data: Partial<ScheduleMaintenance['data']> = {}, meta: Meta = {}): ScheduleMaintenance =>
    command(
      'ScheduleMaintenance',
      {
        maintenanceWindowId: newId(),
        startsAt: new Date(FIXED_NOW.getTime() - 3_600_000),
        endsAt: new Date(FIXED_NOW.getTime() + 3_600_000),
        ...data,
      },
      meta,
    ),
  cancelMaintenance: (data: Partial<CancelMaintenance['data']> = {}, meta: Meta = {}): CancelMaintenance =>
    command('CancelMaintenance', { maintenanceWindowId: newId(), ...data }, meta),
};

/** Events with valid defaults; override any data field. */
export const events = {
  tenantCreated: (data: Partial<TenantCreated['data']> = {}): TenantCreated => ({
    type: 'TenantCreated',
    data: { tenantId: newId(), name: 'Acme Corp', slug: 'acme-corp', plan: 'free', ...data },
  }),
  tenantRenamed: (data: Partial<TenantRenamed['data']> = {}): TenantRenamed => ({
    type: 'TenantRenamed',
    data: { name: 'Acme Renamed', previousName: 'Acme Corp', ...data },
  }),
  tenantPlanChanged: (data: Partial<TenantPlanChanged['data']> = {}): TenantPlanChanged => ({
    type: 'TenantPlanChanged',
    data: { plan: 'pro', previousPlan: 'free', ...data },
  }),
  tenantDeactivated: (data: Partial<TenantDeactivated['data']> = {}): TenantDeactivated => ({
    type: 'TenantDeactivated',
    data: { ...data },
  }),
  tenantReactivated: (): TenantReactivated => ({ type: 'TenantReactivated', data: {} }),
  tenantDeleted: (): TenantDeleted => ({ type: 'TenantDeleted', data: {} }),

  /** As the decider writes it, from the fields of RegisterUser (the hash by testEmailHashOf). */
  userRegistered: (data: Partial<RegisterUser['data']> = {}): UserRegistered => {
    const userId = data.userId ?? newId();
    const { email, passwordHash, role } = {
      email: `user-${userId.slice(-6)}@example.com`,
      passwordHash: BCRYPT_HASH,
      role: 'user' as const,
      ...data,
    };
    return { type: 'UserRegistered', data: { userId, role, emailHash: testEmailHashOf(email), personal: { email, passwordHash } } };
  },
  userErased: (data: Partial<UserErased['data']> = {}): UserErased => ({ type: 'UserErased', data: { userId: newId(), ...data } }),
  userRoleChanged: (data: Partial<UserRoleChanged['data']> = {}): UserRoleChanged => ({
    type: 'UserRoleChanged',
    data: { userId: newId(), role: 'admin', previousRole: 'user', ...data },
  }),
  userDeactivated: (data: Partial<UserDeactivated['data']> = {}): UserDeactivated => ({
    type: 'UserDeactivated',
    data: { userId: newId(), ...data },
  }),
  userReactivated: (data: Partial<UserReactivated['data']> = {}): UserReactivated => ({
    type: 'UserReactivated',
    data: { userId: newId(), ...data },
  }),
  userLoggedIn: (data: Partial<UserLoggedIn['data']> = {}): UserLoggedIn => ({
    type: 'UserLoggedIn',
    data: { userId: newId(), at: FIXED_NOW, ...data },
  }),
  userRemoved: (data: Partial<UserRemoved['data']> = {}): UserRemoved => ({
    type: 'UserRemoved',
    data: { userId: newId(), ...data },
  }),

  apiKeyIssued: (data: Partial<ApiKeyIssued['data']> = {}): ApiKeyIssued => ({
    type: 'ApiKeyIssued',
    data: { apiKeyId: newId(), name: 'CI key', tokenSha256: TOKEN_SHA256, ...data },
  }),
  apiKeyRevoked: (data: Partial<ApiKeyRevoked['data']> = {}): ApiKeyRevoked => ({
    type: 'ApiKeyRevoked',
    data: { apiKeyId: newId(), ...data },
  }),

  monitorCreated: (data: Partial<MonitorCreated['data']> = {}): MonitorCreated => ({
    type: 'MonitorCreated',
    data: { monitorId: newId(), name: 'Homepage', url: 'https://example.com/', checkInterval: 300, ...data },
  }),
  monitorUpdated: (data: Partial<MonitorUpdated['data']> = {}): MonitorUpdated => ({
    type: 'MonitorUpdated',
    data: { monitorId: newId(), ...data },
  }),
  monitorPaused: (data: Partial<MonitorPaused['data']> = {}): MonitorPaused => ({
    type: 'MonitorPaused',
    data: { monitorId: newId(), ...data },
  }),
  monitorResumed: (data: Partial<MonitorResumed['data']> = {}): MonitorResumed => ({
    type: 'MonitorResumed',
    data: { monitorId: newId(), ...data },
  }),
  monitorDeleted: (data: Partial<MonitorDeleted['data']> = {}): MonitorDeleted => ({
    type: 'MonitorDeleted',
    data: { monitorId: newId(), ...data },
  }),
  checkRecorded: (data: Partial<CheckRecorded['data']> = {}): CheckRecorded => ({
    type: 'CheckRecorded',
    data: {
      monitorId: newId(),
      checkId: newId(),
      status: 'up',
      responseTimeMs: 120,
      statusCode: 200,
      checkedAt: FIXED_NOW,
      ...data,
      region: data.region ?? null,
    },
  }),
  monitorStatusChanged: (data: Partial<MonitorStatusChanged['data']> = {}): MonitorStatusChanged => ({
    type: 'MonitorStatusChanged',
    data: { monitorId: newId(), from: 'unknown', to: 'up', checkId: newId(), checkedAt: FIXED_NOW, ...data },
  }),
  monitorMaintenanceStarted: (data: Partial<MonitorMaintenanceStarted['data']> = {}): MonitorMaintenanceStarted => ({
    type: 'MonitorMaintenanceStarted',
    data: { monitorId: newId(), maintenanceWindowId: newId(), checkId: newId(), checkedAt: FIXED_NOW, ...data },
  }),
  monitorMaintenanceEnded: (data: Partial<MonitorMaintenanceEnded['data']> = {}): MonitorMaintenanceEnded => ({
    type: 'MonitorMaintenanceEnded',
    data: { monitorId: newId(), maintenanceWindowId: newId(), checkId: newId(), checkedAt: FIXED_NOW, ...data },
  }),
  maintenanceScheduled: (data: Partial<MaintenanceScheduled['data']> = {}): MaintenanceScheduled => ({
    type: 'MaintenanceScheduled',
    data: {
      maintenanceWindowId: newId(),
      startsAt: new Date(FIXED_NOW.getTime() - 3_600_000),
      endsAt: new Date(FIXED_NOW.getTime() + 3_600_000),
      ...data,
    },
  }),
  maintenanceCancelled: (data: Partial<MaintenanceCancelled['data']> = {}): MaintenanceCancelled => ({
    type: 'MaintenanceCancelled',
    data: { maintenanceWindowId: newId(), ...data },
  }),
};
