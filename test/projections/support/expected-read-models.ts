import type { EventEnvelope } from '@vinsight/contracts';
import { WorkloadRecord } from '../../../scripts/bench-projector.workload';

/** What the read models must hold for a workload, computed independently of the projector. */
export interface ExpectedReadModels {
  tenants: number;
  users: number;
  apiKeys: number;
  monitors: number;
  checks: number;
  auditEvents: number;
  /** Per monitor: incidents as (startedAt, resolvedAt) and its last check time. */
  incidents: Map<string, { startedAt: string; resolvedAt: string | null }[]>;
  lastCheckedAt: Map<string, string>;
}

export function expectedReadModels(records: readonly WorkloadRecord[]): ExpectedReadModels {
  const count = (type: string) => records.filter((r) => r.envelope.type === type).length;
  const incidents = new Map<string, { startedAt: string; resolvedAt: string | null }[]>();
  const lastCheckedAt = new Map<string, string>();
  for (const { envelope } of records) {
    const payload = envelope.payload as Record<string, string>;
    const key = `${envelope.tenantId}|${payload.monitorId}`;
    if (envelope.type === 'CheckRecorded') {
      const previous = lastCheckedAt.get(key);
      if (previous === undefined || Date.parse(payload.checkedAt) > Date.parse(previous)) lastCheckedAt.set(key, payload.checkedAt);
    }
    if (envelope.type !== 'MonitorStatusChanged') continue;
    const list = incidents.get(key) ?? [];
    const open = list.find((i) => i.resolvedAt === null);
    if (payload.to === 'down' && !open) list.push({ startedAt: payload.checkedAt, resolvedAt: null });
    if (payload.to === 'up' && open) open.resolvedAt = payload.checkedAt;
    incidents.set(key, list);
  }
  return {
    tenants: count('TenantCreated'),
    users: count('UserRegistered'),
    apiKeys: count('ApiKeyIssued'),
    monitors: count('MonitorCreated'),
    checks: count('CheckRecorded'),
    auditEvents: records.filter((r) => r.role === 'events').length,
    incidents,
    lastCheckedAt,
  };
}

export const tenantIdsOf = (records: readonly WorkloadRecord[]): string[] => [
  ...new Set(records.map((r) => (r.envelope as EventEnvelope).tenantId)),
];
