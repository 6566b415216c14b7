import { alreadyExists, invalidState, monitorPaused, notFound, planLimitExceeded, validationFailed } from '../shared/domain-error';
import type { Outcome } from '../shared/outcome';
import { accept, reject } from '../shared/outcome';
import type { Plan } from '../shared/plan-limits';
import { PLAN_LIMITS } from '../shared/plan-limits';
import type { MonitorCommand, RecordCheckResult } from './monitor.commands';
import type { CheckRecorded, MonitorEvent } from './monitor.events';
import { monitorStatusOf } from './monitor.events';
import type { Monitor, MonitorState } from './monitor.state';

/** asyncapi.yaml, CommandEnvelope: `checkedAt` may be at most 5 minutes ahead of the processor's clock. */
export const MAX_CHECK_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface MonitorDecisionContext {
  readonly plan: Plan;
  /** Monitors of the tenant that are not deleted; paused ones count against the plan. */
  readonly monitorCount: number;
  /** True when a maintenance window of the tenant holds this monitor in maintenance at that instant. */
  readonly isInMaintenance: (at: Date) => boolean;
}

export function decideMonitor(command: MonitorCommand, monitor: MonitorState, context: MonitorDecisionContext): Outcome<MonitorEvent> {
  const { monitorId } = command.data;
  const limits = PLAN_LIMITS[context.plan];

  if (command.type === 'CreateMonitor') {
    // A deleted monitor's id stays taken: ids are identities in the event history, never reused.
    if (monitor.lifecycle !== 'absent') {
      return reject(alreadyExists(`monitor ${monitorId} already exists`, 'payload.monitorId'));
    }
    if (limits.maxMonitors !== null && context.monitorCount >= limits.maxMonitors) {
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
      return accept({ type: 'MonitorDeleted', data: { monitorId } });
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
 * with the status from before it.
 */
function decideCheckResult(command: RecordCheckResult, monitor: Monitor, context: MonitorDecisionContext): Outcome<MonitorEvent> {
  const check = command.data;
  if (monitor.recentCheckIds.has(check.checkId)) return accept();
  if (check.checkedAt.getTime() - command.metadata.now.getTime() > MAX_CHECK_CLOCK_SKEW_MS) {
    return reject(validationFailed('payload.checkedAt', 'checkedAt is more than 5 minutes in the future'));
  }
  if (monitor.lifecycle === 'paused') return reject(monitorPaused(`monitor ${monitor.id} is paused`));
  const inMaintenance = context.isInMaintenance(check.checkedAt);

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
  if (inMaintenance) return accept(recorded);
  const to = monitorStatusOf(check.status);
  const isNewest = monitor.lastCheckedAt === null || check.checkedAt.getTime() >= monitor.lastCheckedAt.getTime();
  if (!isNewest || to === monitor.status) return accept(recorded);
  return accept<MonitorEvent>(recorded, {
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

const intervalTooShort = (plan: Plan) =>
  planLimitExceeded(
    `plan ${plan} requires a check interval of at least ${PLAN_LIMITS[plan].minCheckIntervalSeconds} s`,
    'payload.checkInterval',
  );
