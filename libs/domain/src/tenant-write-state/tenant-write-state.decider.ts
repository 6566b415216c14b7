import { decideApiKey } from '../api-key/api-key.decider';
import { initialApiKeyState } from '../api-key/api-key.state';
import type { Decision, AggregateRef, DecidedEvent } from '../decision';
import type { DomainCommand } from '../domain-command';
import type { DomainEvent } from '../domain-event';
import { bumpsVersion } from '../domain-event';
import { decideMaintenance } from '../maintenance/maintenance.decider';
import { maintenanceWindowsAt } from '../maintenance/maintenance.schedule';
import type { MaintenanceWindow, MaintenanceWindowState } from '../maintenance/maintenance.state';
import { initialMaintenanceWindowState } from '../maintenance/maintenance.state';
import { decideMonitor } from '../monitor/monitor.decider';
import { initialMonitorState } from '../monitor/monitor.state';
import { commandTextProblem } from '../shared/command-text';
import { conflict, notFound } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { reject } from '../shared/outcome';
import { decideTenant, requireActiveTenant } from '../tenant/tenant.decider';
import type { UserDecisionContext } from '../user/user.decider';
import { decideUser } from '../user/user.decider';
import { holdsEmail, initialUserState } from '../user/user.state';
import type { TenantWriteState } from './tenant-write-state';
import { isRetiredAt, liveMonitors, pendingMaintenanceWindows } from './tenant-write-state';

/**
 * Decides any command against the tenant's write state, in this order:
 * 0. Its text fields against the text rule (VALIDATION_FAILED; see shared/command-text.ts).
 * 1. `expectedVersion` against the target aggregate's current version (CONFLICT). It comes
 *    first, like an HTTP If-Match: the caller's premise is checked before its request. So
 *    `expectedVersion: 0` on an existing aggregate is CONFLICT, while a create without
 *    `expectedVersion` on an existing id is ALREADY_EXISTS.
 * 2. The tenant gate: every command but CreateTenant needs an existing tenant (NOT_FOUND), and an
 *    active one (TENANT_INACTIVE), except ReactivateTenant on a deactivated tenant.
 * 3. The aggregate's own rules.
 * EraseUser only needs the tenant to exist: the right to erasure outlives a tenant's deactivation.
 */
export function decide(command: DomainCommand, state: TenantWriteState, ports: DecisionPorts): Decision {
  const text = commandTextProblem(command);
  if (text !== null) return reject(text);
  const target = targetOf(command);
  const currentVersion = versionOf(state, target);
  const { expectedVersion } = command.metadata;
  if (expectedVersion !== undefined && expectedVersion !== currentVersion) {
    return reject(
      conflict(
        expectedVersion === 0
          ? `${target.aggregateType} ${target.aggregateId} already exists (version ${currentVersion})`
          : `${target.aggregateType} ${target.aggregateId} is at version ${currentVersion}, not ${expectedVersion}`,
      ),
    );
  }
  const outcome = decideOnAggregate(command, state, ports);
  if (!outcome.ok) return outcome;
  return stamp(target, currentVersion, outcome.events);
}

/**
 * What the decider needs from outside that is not state: computed by the caller with keys the
 * domain never sees, so that deciding stays a pure function of its inputs.
 */
export interface DecisionPorts {
  /** The keyed hash of an email (HMAC under EMAIL_HASH_KEY of `emailKey(email)`): uniqueness without the email. */
  readonly emailHashOf: (email: string) => string;
}

function decideOnAggregate(command: DomainCommand, state: TenantWriteState, ports: DecisionPorts): Outcome<DomainEvent> {
  switch (command.type) {
    case 'CreateTenant':
    case 'RenameTenant':
    case 'ChangeTenantPlan':
    case 'DeactivateTenant':
    case 'ReactivateTenant':
    case 'DeleteTenant':
      return decideTenant(command, state.tenant, {
        monitorIntervals: () => liveMonitors(state).map((monitor) => monitor.checkInterval),
      });
  }

  if (command.type === 'EraseUser') {
    if (state.tenant.lifecycle === 'absent') return reject(notFound('tenant does not exist', 'tenantId'));
    return decideUser(command, state.users.get(command.data.userId) ?? initialUserState(), userContext(state, ports));
  }

  const gate = requireActiveTenant(state.tenant);
  if (!gate.ok) return gate;
  const { tenant } = gate;

  switch (command.type) {
    case 'RegisterUser':
    case 'ChangeUserRole':
    case 'DeactivateUser':
    case 'ReactivateUser':
    case 'RecordUserLogin':
    case 'RemoveUser':
      return decideUser(command, state.users.get(command.data.userId) ?? initialUserState(), userContext(state, ports));
    case 'IssueApiKey':
    case 'RevokeApiKey':
      return decideApiKey(command, state.apiKeys.get(command.data.apiKeyId) ?? initialApiKeyState(), {
        isTokenHashInUse: (hash) => [...state.apiKeys.values()].some((key) => key.tokenSha256 === hash),
      });
    case 'CreateMonitor':
    case 'UpdateMonitor':
    case 'PauseMonitor':
    case 'ResumeMonitor':
    case 'DeleteMonitor':
    case 'RecordCheckResult':
      return decideMonitor(command, state.monitors.get(command.data.monitorId) ?? initialMonitorState(), {
        plan: tenant.plan,
        monitorCount: () => liveMonitors(state).length,
        maintenanceWindowIdsAt: (at) =>
          maintenanceWindowsOf(state, command.data.monitorId, at, command.metadata.now).map((window) => window.id),
      });
    case 'ScheduleMaintenance':
    case 'CancelMaintenance':
      return decideMaintenance(command, maintenanceWindowOf(state, command.data.maintenanceWindowId), {
        isLiveMonitor: (monitorId) => {
          const monitor = state.monitors.get(monitorId);
          return monitor !== undefined && monitor.lifecycle !== 'deleted';
        },
        pendingWindowCount: pendingMaintenanceWindows(state, command.metadata.now).length,
      });
  }
}

const userContext = (state: TenantWriteState, ports: DecisionPorts): UserDecisionContext => ({
  emailHashOf: ports.emailHashOf,
  isEmailHashTaken: (emailHash) => [...state.users.values()].some((user) => holdsEmail(user) && user.emailHash === emailHash),
});

const maintenanceWindowOf = (state: TenantWriteState, id: string): MaintenanceWindowState =>
  state.maintenanceWindows.get(id) ?? state.retiredMaintenanceWindows.get(id) ?? initialMaintenanceWindowState();

/** The windows holding the monitor in maintenance at `at`, leaving out those retired by `now` whether pruned yet or not. */
function maintenanceWindowsOf(state: TenantWriteState, monitorId: string, at: Date, now: Date): MaintenanceWindow[] {
  if (state.maintenanceWindows.size === 0) return [];
  return maintenanceWindowsAt(state.maintenanceWindows.values(), monitorId, at).filter((window) => !isRetiredAt(window, now));
}

/** The aggregate a command is aimed at: what `expectedVersion` and the command result refer to. */
export function targetOf(command: DomainCommand): AggregateRef {
  switch (command.type) {
    case 'CreateTenant':
    case 'RenameTenant':
    case 'ChangeTenantPlan':
    case 'DeactivateTenant':
    case 'ReactivateTenant':
    case 'DeleteTenant':
      return { aggregateType: 'tenant', aggregateId: command.metadata.tenantId };
    case 'RegisterUser':
    case 'ChangeUserRole':
    case 'DeactivateUser':
    case 'ReactivateUser':
    case 'RecordUserLogin':
    case 'RemoveUser':
    case 'EraseUser':
      return { aggregateType: 'user', aggregateId: command.data.userId };
    case 'IssueApiKey':
    case 'RevokeApiKey':
      return { aggregateType: 'api-key', aggregateId: command.data.apiKeyId };
    case 'CreateMonitor':
    case 'UpdateMonitor':
    case 'PauseMonitor':
    case 'ResumeMonitor':
    case 'DeleteMonitor':
    case 'RecordCheckResult':
      return { aggregateType: 'monitor', aggregateId: command.data.monitorId };
    case 'ScheduleMaintenance':
    case 'CancelMaintenance':
      return { aggregateType: 'maintenance-window', aggregateId: command.data.maintenanceWindowId };
  }
}

/** Current version of an aggregate of this tenant; 0 when it does not exist. */
export function versionOf(state: TenantWriteState, ref: AggregateRef): number {
  switch (ref.aggregateType) {
    case 'tenant':
      return state.tenant.version;
    case 'user':
      return state.users.get(ref.aggregateId)?.version ?? 0;
    case 'api-key':
      return state.apiKeys.get(ref.aggregateId)?.version ?? 0;
    case 'monitor':
      return state.monitors.get(ref.aggregateId)?.version ?? 0;
    case 'maintenance-window':
      return maintenanceWindowOf(state, ref.aggregateId).version;
  }
}

/**
 * Every event a command produces belongs to its target aggregate. CheckRecorded carries the
 * monitor's version as it stands (it does not bump it); a following MonitorStatusChanged gets
 * the next one. See `bumpsVersion`.
 */
function stamp(target: AggregateRef, currentVersion: number, events: readonly DomainEvent[]): Decision {
  let version = currentVersion;
  const decided = events.map((event): DecidedEvent => {
    if (bumpsVersion(event.type)) version += 1;
    // Literals rather than spreads of the event and the target: every event of every command passes here.
    return {
      type: event.type,
      data: event.data,
      aggregateType: target.aggregateType,
      aggregateId: target.aggregateId,
      version,
    } as DecidedEvent;
  });
  return { ok: true, events: decided, aggregateType: target.aggregateType, aggregateId: target.aggregateId, version };
}
