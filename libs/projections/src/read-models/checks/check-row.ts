import type { EventEnvelope } from '@vinsight/contracts';
import type { TextRule } from '@vinsight/domain';
import { storedTextProblem, TEXT_RULES } from '@vinsight/domain';
import { isoTimeMs, normalizedUuid } from '../../events/field-checks';
import { reject } from '../../events/projection-rejection';

export type CheckStatus = 'up' | 'down' | 'error';

/** One row of `monitor_checks`, from one CheckRecorded event. */
export interface CheckRow {
  readonly tenantId: string;
  readonly monitorId: string;
  /** `tenantId|monitorId`, computed once: rows are grouped by monitor several times. */
  readonly monitorKey: string;
  /** The check's checkId. */
  readonly id: string;
  readonly status: CheckStatus;
  readonly responseTimeMs: number | null;
  readonly statusCode: number | null;
  readonly errorMessage: string | null;
  readonly region: string | null;
  /** As the event wrote it, so Postgres stores exactly that instant. */
  readonly checkedAt: string;
  readonly checkedAtMs: number;
  /** Inside a maintenance window: counted apart in the rollups, out of uptime and latency. */
  readonly inMaintenance: boolean;
}

/**
 * The check row of a CheckRecorded event, checked against the table's constraints first. Called
 * once per event, by decodeRecord as the record arrives; everything after works on the row.
 */
export function checkRowOf(envelope: EventEnvelope): CheckRow {
  if (envelope.type !== 'CheckRecorded') reject('UNSUPPORTED_EVENT', `${envelope.type} is not a check result`);
  const p = envelope.payload as Record<string, unknown>;
  const monitor = monitorIdentity(envelope.tenantId, p.monitorId);
  if (monitor === null) reject('INVALID_PAYLOAD', 'payload.monitorId must be a UUID');
  const checkId = normalizedUuid(p.checkId);
  if (checkId === null) reject('INVALID_PAYLOAD', 'payload.checkId must be a UUID');
  if (p.status !== 'up' && p.status !== 'down' && p.status !== 'error')
    reject('INVALID_PAYLOAD', 'payload.status must be up, down or error');
  const checkedAtMs = isoTimeMs(p.checkedAt);
  if (Number.isNaN(checkedAtMs)) reject('INVALID_PAYLOAD', 'payload.checkedAt must be an ISO-8601 time');
  const responseTimeMs = optionalInteger(p.responseTimeMs, 0, 600000, 'payload.responseTimeMs');
  const statusCode = optionalInteger(p.statusCode, 100, 599, 'payload.statusCode');
  const errorMessage = optionalText(p.errorMessage, TEXT_RULES.checkErrorMessage, 'payload.errorMessage');
  const region = optionalText(p.region, TEXT_RULES.checkRegion, 'payload.region');
  if (p.inMaintenance !== undefined && p.inMaintenance !== null && typeof p.inMaintenance !== 'boolean') {
    reject('INVALID_PAYLOAD', 'payload.inMaintenance must be a boolean');
  }
  const checkedAt = p.checkedAt as string;
  const { tenantId, monitorId, monitorKey } = monitor!;
  return {
    tenantId,
    monitorId,
    monitorKey,
    id: checkId!,
    status: p.status as CheckStatus,
    responseTimeMs,
    statusCode,
    errorMessage,
    region,
    checkedAt,
    checkedAtMs,
    inMaintenance: p.inMaintenance === true,
  };
}

interface MonitorIdentity {
  readonly tenantId: string;
  readonly monitorId: string;
  readonly monitorKey: string;
}

/**
 * Monitors seen lately, by tenant id and monitorId as the event spelled it. A monitor's checks
 * arrive by the thousand, and each row used to carry its own copies of both ids (JSON.parse makes
 * new strings) and of their key, a third of the row's memory, which the batch holds until its
 * COPY; with this, all of a monitor's rows share one copy and skip the UUID check and the key.
 * Forgotten all at once past MAX_REMEMBERED_MONITORS, which bounds its memory.
 */
const monitorIdentities = new Map<string, Map<unknown, MonitorIdentity>>();
let rememberedMonitors = 0;
const MAX_REMEMBERED_MONITORS = 100_000;

function monitorIdentity(tenantId: string, rawMonitorId: unknown): MonitorIdentity | null {
  let monitors = monitorIdentities.get(tenantId);
  const known = monitors?.get(rawMonitorId);
  if (known !== undefined) return known;
  const monitorId = normalizedUuid(rawMonitorId);
  if (monitorId === null) return null;
  if (rememberedMonitors >= MAX_REMEMBERED_MONITORS) {
    monitorIdentities.clear();
    rememberedMonitors = 0;
    monitors = undefined;
  }
  if (monitors === undefined) {
    monitors = new Map();
    monitorIdentities.set(tenantId, monitors);
  }
  const identity = { tenantId, monitorId, monitorKey: `${tenantId}|${monitorId}` };
  monitors.set(rawMonitorId, identity);
  rememberedMonitors += 1;
  return identity;
}

function optionalInteger(value: unknown, min: number, max: number, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    reject('INVALID_PAYLOAD', `${field} must be an integer within ${min}..${max}`);
  }
  return value as number;
}

function optionalText(value: unknown, rule: TextRule, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return reject('INVALID_PAYLOAD', `${field} must be text`);
  const problem = storedTextProblem(value, { min: 0, max: rule.max });
  if (problem !== null) reject('INVALID_PAYLOAD', `${field} ${problem}`);
  return value;
}

/** The primary key of monitor_checks, as one string. */
export const checkKey = (row: Pick<CheckRow, 'tenantId' | 'monitorId' | 'checkedAtMs' | 'id'>): string =>
  `${row.tenantId}|${row.monitorId}|${row.checkedAtMs}|${row.id}`;

/**
 * The batch's rows without repeats of a primary key (the first one stays). Check ids are unique
 * in practice, so the full key is only built for an id seen twice.
 */
export function distinctChecks(rows: readonly CheckRow[]): CheckRow[] {
  const ids = new Set<string>();
  let repeated: Set<string> | null = null;
  const distinct: CheckRow[] = [];
  for (const row of rows) {
    if (ids.has(row.id)) {
      if (repeated === null) repeated = new Set(distinct.filter((r) => r.id === row.id).map(checkKey));
      else for (const r of distinct) if (r.id === row.id) repeated.add(checkKey(r));
      const key = checkKey(row);
      if (repeated.has(key)) continue;
      repeated.add(key);
    }
    ids.add(row.id);
    distinct.push(row);
  }
  return distinct;
}
