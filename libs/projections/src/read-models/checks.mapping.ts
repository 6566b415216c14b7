import type { EventEnvelope } from '@vinsight/contracts';
import type { TextRule } from '@vinsight/domain';
import { storedTextProblem, TEXT_RULES } from '@vinsight/domain';
import { isoTimeMs, normalizedUuid } from '../events/field-checks';
import { reject } from '../events/projection-rejection';
import { LATENCY_HISTOGRAM_BUCKETS, latencyBucketOf } from './latency-histogram';

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
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The check row of a CheckRecorded event, checked against the table's constraints first. */
export function checkRowOf(envelope: EventEnvelope): CheckRow {
  if (envelope.type !== 'CheckRecorded') reject('UNSUPPORTED_EVENT', `${envelope.type} is not a check result`);
  const p = envelope.payload as Record<string, unknown>;
  const monitorId = normalizedUuid(p.monitorId);
  if (monitorId === null) reject('INVALID_PAYLOAD', 'payload.monitorId must be a UUID');
  const checkId = normalizedUuid(p.checkId);
  if (checkId === null) reject('INVALID_PAYLOAD', 'payload.checkId must be a UUID');
  if (p.status !== 'up' && p.status !== 'down' && p.status !== 'error') reject('INVALID_PAYLOAD', 'payload.status must be up, down or error');
  const checkedAtMs = isoTimeMs(p.checkedAt);
  if (Number.isNaN(checkedAtMs)) reject('INVALID_PAYLOAD', 'payload.checkedAt must be an ISO-8601 time');
  const responseTimeMs = optionalInteger(p.responseTimeMs, 0, 600000, 'payload.responseTimeMs');
  const statusCode = optionalInteger(p.statusCode, 100, 599, 'payload.statusCode');
  const errorMessage = optionalText(p.errorMessage, TEXT_RULES.checkErrorMessage, 'payload.errorMessage');
  const region = optionalText(p.region, TEXT_RULES.checkRegion, 'payload.region');
  const checkedAt = p.checkedAt as string;
  return {
    tenantId: envelope.tenantId,
    monitorId: monitorId!,
    monitorKey: `${envelope.tenantId}|${monitorId}`,
    id: checkId!,
    status: p.status as CheckStatus,
    responseTimeMs,
    statusCode,
    errorMessage,
    region,
    checkedAt,
    checkedAtMs,
  };
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

/** What a set of checks adds to one rollup row. */
export interface RollupDelta {
  readonly tenantId: string;
  readonly monitorId: string;
  readonly bucketStartMs: number;
  totalChecks: number;
  upChecks: number;
  downChecks: number;
  errorChecks: number;
  responseTimeSumMs: number;
  responseTimeCount: number;
  readonly histogram: Int32Array;
}

export type RollupGranularity = 'hour' | 'day';

/**
 * Adds checks up per monitor and hour (or day, UTC), with their latency histograms: what these
 * checks add to the rollup rows. Sorted by key, so that concurrent writers lock rows in one order.
 */
export function rollupDeltas(rows: readonly CheckRow[], granularity: RollupGranularity): RollupDelta[] {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  // Per monitor, the bucket of its previous row first: a batch's checks of one monitor mostly
  // fall in the same hour, so most rows need one map lookup.
  const byMonitor = new Map<string, { last: RollupDelta; buckets: Map<number, RollupDelta> }>();
  const deltas: RollupDelta[] = [];
  const newDelta = (row: CheckRow, bucketStartMs: number): RollupDelta => {
    const delta: RollupDelta = {
      tenantId: row.tenantId,
      monitorId: row.monitorId,
      bucketStartMs,
      totalChecks: 0,
      upChecks: 0,
      downChecks: 0,
      errorChecks: 0,
      responseTimeSumMs: 0,
      responseTimeCount: 0,
      histogram: new Int32Array(LATENCY_HISTOGRAM_BUCKETS),
    };
    deltas.push(delta);
    return delta;
  };
  for (const row of rows) {
    const bucketStartMs = Math.floor(row.checkedAtMs / size) * size;
    const monitor = byMonitor.get(row.monitorKey);
    let delta: RollupDelta;
    if (monitor === undefined) {
      delta = newDelta(row, bucketStartMs);
      byMonitor.set(row.monitorKey, { last: delta, buckets: new Map([[bucketStartMs, delta]]) });
    } else if (monitor.last.bucketStartMs === bucketStartMs) {
      delta = monitor.last;
    } else {
      delta = monitor.buckets.get(bucketStartMs) ?? newDelta(row, bucketStartMs);
      monitor.buckets.set(bucketStartMs, delta);
      monitor.last = delta;
    }
    delta.totalChecks += 1;
    if (row.status === 'up') delta.upChecks += 1;
    else if (row.status === 'down') delta.downChecks += 1;
    else delta.errorChecks += 1;
    if (row.responseTimeMs !== null) {
      delta.responseTimeSumMs += row.responseTimeMs;
      delta.responseTimeCount += 1;
      delta.histogram[latencyBucketOf(row.responseTimeMs) - 1] += 1;
    }
  }
  return deltas.sort(compareRollupKeys);
}

const compareRollupKeys = (a: RollupDelta, b: RollupDelta): number =>
  a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 :
  a.monitorId < b.monitorId ? -1 : a.monitorId > b.monitorId ? 1 :
  a.bucketStartMs - b.bucketStartMs;

/**
 * The check a monitor row shows as its last one: the greatest by (checked_at, response time,
 * status code, error message), NULLs lowest. The tie-breakers make the result independent of the
 * order checks arrive in when two share a checked_at; monitors.last-check SQL uses the same order.
 */
export function compareForLastCheck(a: CheckRow, b: CheckRow): number {
  if (a.checkedAtMs !== b.checkedAtMs) return a.checkedAtMs - b.checkedAtMs;
  const rt = (a.responseTimeMs ?? -1) - (b.responseTimeMs ?? -1);
  if (rt !== 0) return rt;
  const sc = (a.statusCode ?? -1) - (b.statusCode ?? -1);
  if (sc !== 0) return sc;
  return compareCodePoints(a.errorMessage ?? '', b.errorMessage ?? '');
}

/** Code point order, which is Postgres's COLLATE "C" order for UTF-8 text. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i].codePointAt(0)! - y[i].codePointAt(0)!;
  }
  return x.length - y.length;
}

/** Per monitor, the batch's last check (by compareForLastCheck), sorted by monitor key. */
export function lastChecksByMonitor(rows: readonly CheckRow[]): CheckRow[] {
  const last = new Map<string, CheckRow>();
  for (const row of rows) {
    const current = last.get(row.monitorKey);
    if (current === undefined || compareForLastCheck(row, current) > 0) last.set(row.monitorKey, row);
  }
  return [...last.values()].sort((a, b) =>
    a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : a.monitorId < b.monitorId ? -1 : a.monitorId > b.monitorId ? 1 : 0,
  );
}
