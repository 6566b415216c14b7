import { alreadyExists, invalidState, monitorPaused, notFound, planLimitExceeded, validationFailed } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { accept, reject } from '../shared/outcome';
import type { Plan } from '../shared/plan-limits';
import { PLAN_LIMITS } from '../shared/plan-limits';
import type { MonitorCommand, RecordCheckResult } from './monitor.commands';
import type { CheckRecorded, MonitorEvent, MonitorMaintenanceEnded, MonitorMaintenanceStarted } from './monitor.events';
import { monitorStatusOf } from './monitor.events';
import type { Monitor, MonitorState } from './monitor.state';

/** asyncapi.yaml, CommandEnvelope: `checkedAt` may be at most 5 minutes ahead of the processor's clock. */
export const MAX_CHECK_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface MonitorDecisionContext {
  readonly plan: Plan;
  /**
   * Monitors of the tenant that are not deleted; paused ones count against the plan. A function:
   * counting is O(monitors), and only CreateMonitor needs it, not every check.
   */
  readonly monitorCount: () => number;
  /**
   * The maintenance windows of the tenant that hold this monitor in maintenance at that instant,
   * by id, the earliest-starting first; empty outside maintenance.
   */
  readonly maintenanceWindowIdsAt: (at: Date) => readonly string[];
}

export function decideMonitor(command: MonitorCommand, monitor: MonitorState, context: MonitorDecisionContext): Outcome<MonitorEvent> {
  const { monitorId } = command.data;
  const limits = PLAN_LIMITS[context.plan];

  if (command.type === 'CreateMonitor') {
    // A deleted monitor's id stays taken: ids are identities in the event history, never reused.
    if (monitor.lifecycle !== 'absent') {
      return reject(alreadyExists(`monitor ${monitorId} already exists`, 'payload.monitorId'));
    }
    if (limits.maxMonitors !== null && context.monitorCount() >= limits.maxMonitors) {
      return reject(planLimitExceeded(`plan ${context.plan} allows at most ${limits.maxMonitors} monitors`));
    }
    const { name, url, checkInterval } = command.data;
    if (checkInterval < limits.minCheckIntervalSeconds) return reject(intervalTooShort(context.plan));
    return accept({ type: 'MonitorCreated', data: { monitorId, name, url, checkInterval } });
  }

  if (monitor.lifecycle === 'absent' || monitor.lifecycle === 'deleted') {
    return reject(notFound(`monitor ${monitorId} does not exist`, 'payload.monitorId'));
  }

  switch (command.type) {
    case 'UpdateMonitor': {
      const { name, url, checkInterval } = command.data;
      if (checkInterval !== undefined && checkInterval < limits.minCheckIntervalSeconds) {
        return reject(intervalTooShort(context.plan));
      }
      return accept({
        type: 'MonitorUpdated',
        data: {
          monitorId,
          ...(name !== undefined && { name }),
          ...(url !== undefined && { url }),
          ...(checkInterval !== undefined && { checkInterval }),
        },
      });
    }
    case 'PauseMonitor':
      if (monitor.lifecycle === 'paused') return reject(invalidState(`monitor ${monitorId} is already paused`));
      return accept({ type: 'MonitorPaused', data: { monitorId } });
    case 'ResumeMonitor':
      // No plan check: a paused monitor already counts against the plan, and a plan change
      // is refused while any monitor (paused or not) is below the new plan's interval.
      if (monitor.lifecycle === 'active') return reject(invalidState(`monitor ${monitorId} is not paused`));
      return accept({ type: 'MonitorResumed', data: { monitorId } });
    case 'DeleteMonitor':
      return accept({ type: 'MonitorDeleted', data: { monitorId, lastStatus: monitor.status } });
    case 'RecordCheckResult':
      return decideCheckResult(command, monitor, context);
  }
}

/**
 * Order of the rules: a check id seen before is accepted with no events whatever the monitor's
 * state now (a redelivery gets the answer the first delivery got); then the clock rule; then
 * MONITOR_PAUSED. The status moves only for a check at least as new as the newest one seen, so
 * checks arriving out of order (several regions, retries) never flap the status backwards. A check
 * inside a maintenance window (by its `checkedAt`) is recorded with `inMaintenance` and never moves
 * the status: planned downtime opens no incident, and the first check after the window compares
 * with the status from before it. Entering and leaving maintenance is decided on the newest check
 * too (see maintenanceTransitions), so an old check arriving late never flips it.
 */
function decideCheckResult(command: RecordCheckResult, monitor: Monitor, context: MonitorDecisionContext): Outcome<MonitorEvent> {
  const check = command.data;
  if (monitor.recentCheckIds.has(check.checkId)) return accept();
  if (check.checkedAt.getTime() - command.metadata.now.getTime() > MAX_CHECK_CLOCK_SKEW_MS) {
    return reject(validationFailed('payload.checkedAt', 'checkedAt is more than 5 minutes in the future'));
  }
  if (monitor.lifecycle === 'paused') return reject(monitorPaused(`monitor ${monitor.id} is paused`));
  const windowIds = context.maintenanceWindowIdsAt(check.checkedAt);
  const inMaintenance = windowIds.length > 0;

  const recorded: CheckRecorded = {
    type: 'CheckRecorded',
    data: {
      monitorId: monitor.id,
      checkId: check.checkId,
      status: check.status,
      ...(check.responseTimeMs !== undefined && { responseTimeMs: check.responseTimeMs }),
      ...(check.statusCode !== undefined && { statusCode: check.statusCode }),
      ...(check.errorMessage !== undefined && { errorMessage: check.errorMessage }),
      checkedAt: check.checkedAt,
      region: check.region ?? null,
      ...(inMaintenance && { inMaintenance }),
    },
  };
  const isNewest = monitor.lastCheckedAt === null || check.checkedAt.getTime() >= monitor.lastCheckedAt.getTime();
  if (!isNewest) return accept(recorded);
  const transitions = maintenanceTransitions(monitor, windowIds, recorded.data);
  const to = monitorStatusOf(check.status);
  if (inMaintenance || to === monitor.status) return accept<MonitorEvent>(recorded, ...transitions);
  return accept<MonitorEvent>(recorded, ...transitions, {
    type: 'MonitorStatusChanged',
    data: {
      monitorId: monitor.id,
      from: monitor.status,
      to,
      checkId: check.checkId,
      checkedAt: check.checkedAt,
      ...(check.errorMessage !== undefined && { errorMessage: check.errorMessage }),
    },
  });
}

/**
 * What the newest check, held by `windowIds`, changes in the monitor's maintenance: nothing while
 * the window it is in still holds it; else the end of that window's maintenance, then the start
 * of the earliest-starting window that holds the check, if any.
 */
function maintenanceTransitions(
  monitor: Monitor,
  windowIds: readonly string[],
  check: { checkId: string; checkedAt: Date },
): (MonitorMaintenanceStarted | MonitorMaintenanceEnded)[] {
  const current = monitor.maintenanceWindowId;
  if (current !== null && windowIds.includes(current)) return [];
  const about = { monitorId: monitor.id, checkId: check.checkId, checkedAt: check.checkedAt };
  return [
    ...(current !== null ? [{ type: 'MonitorMaintenanceEnded' as const, data: { ...about, maintenanceWindowId: current } }] : []),
    ...(windowIds.length > 0
      ? [{ type: 'MonitorMaintenanceStarted' as const, data: { ...about, maintenanceWindowId: windowIds[0] } }]
      : []),
  ];
}

const intervalTooShort = (plan: Plan) =>
  planLimitExceeded(
    `plan ${plan} requires a check interval of at least ${PLAN_LIMITS[plan].minCheckIntervalSeconds} s`,
    'payload.checkInterval',
  );
