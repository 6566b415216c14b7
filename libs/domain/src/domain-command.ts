import type { ApiKeyCommand } from './api-key/api-key.commands';
import type { MaintenanceCommand } from './maintenance/maintenance.commands';
import type { MonitorCommand } from './monitor/monitor.commands';
import type { TenantCommand } from './tenant/tenant.commands';
import type { UserCommand } from './user/user.commands';

/** Every command of asyncapi.yaml, CommandEnvelope. */
export type DomainCommand = TenantCommand | UserCommand | ApiKeyCommand | MonitorCommand | MaintenanceCommand;
export type CommandType = DomainCommand['type'];
export type CommandOfType<T extends CommandType> = Extract<DomainCommand, { type: T }>;

const COMMAND_TYPE_SET: Readonly<Record<CommandType, true>> = {
  CreateTenant: true,
  RenameTenant: true,
  ChangeTenantPlan: true,
  DeactivateTenant: true,
  ReactivateTenant: true,
  DeleteTenant: true,
  RegisterUser: true,
  ChangeUserRole: true,
  DeactivateUser: true,
  ReactivateUser: true,
  RecordUserLogin: true,
  RemoveUser: true,
  EraseUser: true,
  IssueApiKey: true,
  RevokeApiKey: true,
  CreateMonitor: true,
  UpdateMonitor: true,
  PauseMonitor: true,
  ResumeMonitor: true,
  DeleteMonitor: true,
  RecordCheckResult: true,
  ScheduleMaintenance: true,
  CancelMaintenance: true,
};

export const COMMAND_TYPES = Object.keys(COMMAND_TYPE_SET) as readonly CommandType[];

export const isCommandType = (type: unknown): type is CommandType =>
  typeof type === 'string' && Object.prototype.hasOwnProperty.call(COMMAND_TYPE_SET, type);
