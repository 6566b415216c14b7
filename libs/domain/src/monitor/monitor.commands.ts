import type { Command } from '../shared/command';

export const CHECK_STATUSES = ['up', 'down', 'error'] as const;
/** What one check observed: `error` means the check itself could not complete (DNS, TLS, timeout). */
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export type CreateMonitor = Command<'CreateMonitor', { monitorId: string; name: string; url: string; checkInterval: number }>;
export type UpdateMonitor = Command<'UpdateMonitor', { monitorId: string; name?: string; url?: string; checkInterval?: number }>;
export type PauseMonitor = Command<'PauseMonitor', { monitorId: string }>;
export type ResumeMonitor = Command<'ResumeMonitor', { monitorId: string }>;
export type DeleteMonitor = Command<'DeleteMonitor', { monitorId: string }>;
export type RecordCheckResult = Command<
  'RecordCheckResult',
  {
    monitorId: string;
    checkId: string;
    status: CheckStatus;
    responseTimeMs?: number;
    statusCode?: number;
    errorMessage?: string;
    checkedAt: Date;
    region?: string;
  }
>;

export type MonitorCommand = CreateMonitor | UpdateMonitor | PauseMonitor | ResumeMonitor | DeleteMonitor | RecordCheckResult;
