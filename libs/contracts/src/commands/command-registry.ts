import type { CommandOfType, CommandType, ErrorDetail } from '@vinsight/domain';
import { IssueApiKeyPayloadDto, RevokeApiKeyPayloadDto } from './payloads/api-key.payloads';
import { CancelMaintenancePayloadDto, ScheduleMaintenancePayloadDto } from './payloads/maintenance.payloads';
import {
  CreateMonitorPayloadDto,
  DeleteMonitorPayloadDto,
  PauseMonitorPayloadDto,
  RecordCheckResultPayloadDto,
  ResumeMonitorPayloadDto,
  UpdateMonitorPayloadDto,
} from './payloads/monitor.payloads';
import {
  ChangeTenantPlanPayloadDto,
  CreateTenantPayloadDto,
  DeactivateTenantPayloadDto,
  DeleteTenantPayloadDto,
  ReactivateTenantPayloadDto,
  RenameTenantPayloadDto,
} from './payloads/tenant.payloads';
import {
  ChangeUserRolePayloadDto,
  DeactivateUserPayloadDto,
  ReactivateUserPayloadDto,
  RecordUserLoginPayloadDto,
  RegisterUserPayloadDto,
  RemoveUserPayloadDto,
  EraseUserPayloadDto,
} from './payloads/user.payloads';

/** How one command type is read from the wire: its payload class and the mapping to the domain. */
export interface CommandSpec<T extends CommandType> {
  readonly payload: new () => object;
  /** Method syntax on purpose: each entry narrows `payload` to its own DTO class. */
  toData(payload: object): CommandOfType<T>['data'];
  /** Rules across fields that decorators cannot express. */
  check?(payload: object): readonly ErrorDetail[];
}

/** Optional fields may arrive as null; the domain knows only "absent". */
export const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** One entry per command type of asyncapi.yaml, CommandEnvelope; the compiler keeps it complete. */
export const COMMAND_SPECS: { readonly [T in CommandType]: CommandSpec<T> } = {
  CreateTenant: {
    payload: CreateTenantPayloadDto,
    toData: (p: CreateTenantPayloadDto) => ({ name: p.name, slug: p.slug, plan: p.plan }),
  },
  RenameTenant: {
    payload: RenameTenantPayloadDto,
    toData: (p: RenameTenantPayloadDto) => ({ name: p.name }),
  },
  ChangeTenantPlan: {
    payload: ChangeTenantPlanPayloadDto,
    toData: (p: ChangeTenantPlanPayloadDto) => ({ plan: p.plan }),
  },
  DeactivateTenant: {
    payload: DeactivateTenantPayloadDto,
    toData: (p: DeactivateTenantPayloadDto) => (present(p.reason) ? { reason: p.reason } : {}),
  },
  ReactivateTenant: { payload: ReactivateTenantPayloadDto, toData: () => ({}) },
  DeleteTenant: { payload: DeleteTenantPayloadDto, toData: () => ({}) },

  RegisterUser: {
    payload: RegisterUserPayloadDto,
    toData: (p: RegisterUserPayloadDto) => ({
      userId: p.userId,
      email: p.email,
      passwordHash: p.passwordHash,
      role: p.role,
    }),
  },
  ChangeUserRole: {
    payload: ChangeUserRolePayloadDto,
    toData: (p: ChangeUserRolePayloadDto) => ({ userId: p.userId, role: p.role }),
  },
  DeactivateUser: {
    payload: DeactivateUserPayloadDto,
    toData: (p: DeactivateUserPayloadDto) => ({ userId: p.userId }),
  },
  ReactivateUser: {
    payload: ReactivateUserPayloadDto,
    toData: (p: ReactivateUserPayloadDto) => ({ userId: p.userId }),
  },
  RecordUserLogin: {
    payload: RecordUserLoginPayloadDto,
    toData: (p: RecordUserLoginPayloadDto) => ({ userId: p.userId, at: new Date(p.at) }),
  },
  RemoveUser: {
    payload: RemoveUserPayloadDto,
    toData: (p: RemoveUserPayloadDto) => ({ userId: p.userId }),
  },
  EraseUser: {
    payload: EraseUserPayloadDto,
    toData: (p: EraseUserPayloadDto) => ({ userId: p.userId }),
  },

  IssueApiKey: {
    payload: IssueApiKeyPayloadDto,
    toData: (p: IssueApiKeyPayloadDto) => ({
      apiKeyId: p.apiKeyId,
      name: p.name,
      tokenSha256: p.tokenSha256,
      ...(present(p.expiresAt) && { expiresAt: new Date(p.expiresAt) }),
    }),
  },
  RevokeApiKey: {
    payload: RevokeApiKeyPayloadDto,
    toData: (p: RevokeApiKeyPayloadDto) => ({ apiKeyId: p.apiKeyId }),
  },

  CreateMonitor: {
    payload: CreateMonitorPayloadDto,
    toData: (p: CreateMonitorPayloadDto) => ({
      monitorId: p.monitorId,
      name: p.name,
      url: p.url,
      checkInterval: p.checkInterval,
    }),
  },
  UpdateMonitor: {
    payload: UpdateMonitorPayloadDto,
    toData: (p: UpdateMonitorPayloadDto) => ({
      monitorId: p.monitorId,
      ...(present(p.name) && { name: p.name }),
      ...(present(p.url) && { url: p.url }),
      ...(present(p.checkInterval) && { checkInterval: p.checkInterval }),
    }),
    check: (p: UpdateMonitorPayloadDto) =>
      present(p.name) || present(p.url) || present(p.checkInterval)
        ? []
        : [{ field: 'payload', message: 'at least one of name, url, checkInterval is required' }],
  },
  PauseMonitor: {
    payload: PauseMonitorPayloadDto,
    toData: (p: PauseMonitorPayloadDto) => ({ monitorId: p.monitorId }),
  },
  ResumeMonitor: {
    payload: ResumeMonitorPayloadDto,
    toData: (p: ResumeMonitorPayloadDto) => ({ monitorId: p.monitorId }),
  },
  DeleteMonitor: {
    payload: DeleteMonitorPayloadDto,
    toData: (p: DeleteMonitorPayloadDto) => ({ monitorId: p.monitorId }),
  },
  RecordCheckResult: {
    payload: RecordCheckResultPayloadDto,
    toData: (p: RecordCheckResultPayloadDto) => ({
      monitorId: p.monitorId,
      checkId: p.checkId,
      status: p.status,
      ...(present(p.responseTimeMs) && { responseTimeMs: Math.round(p.responseTimeMs) }),
      ...(present(p.statusCode) && { statusCode: p.statusCode }),
      ...(present(p.errorMessage) && { errorMessage: p.errorMessage }),
      checkedAt: new Date(p.checkedAt),
      ...(present(p.region) && p.region !== '' && { region: p.region.toLowerCase() }),
    }),
  },

  ScheduleMaintenance: {
    payload: ScheduleMaintenancePayloadDto,
    toData: (p: ScheduleMaintenancePayloadDto) => ({
      maintenanceWindowId: p.maintenanceWindowId,
      ...(present(p.monitorId) && { monitorId: p.monitorId }),
      ...(present(p.title) && { title: p.title }),
      startsAt: new Date(p.startsAt),
      ...(present(p.endsAt) && { endsAt: new Date(p.endsAt) }),
      ...(present(p.recurrence) && {
        recurrence: {
          daysOfWeek: [...p.recurrence.daysOfWeek],
          startTime: p.recurrence.startTime,
          durationMinutes: p.recurrence.durationMinutes,
          timezone: p.recurrence.timezone,
        },
      }),
    }),
    check: (p: ScheduleMaintenancePayloadDto) =>
      present(p.endsAt) || present(p.recurrence) ? [] : [{ field: 'payload.endsAt', message: 'endsAt is required without recurrence' }],
  },
  CancelMaintenance: {
    payload: CancelMaintenancePayloadDto,
    toData: (p: CancelMaintenancePayloadDto) => ({ maintenanceWindowId: p.maintenanceWindowId }),
  },
};
