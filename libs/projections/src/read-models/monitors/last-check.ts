import { CheckRow } from '../checks/check-row';

/**
 * The check a monitor row shows as its last one: the greatest by (checked_at, response time,
 * status code, error message), NULLs lowest. The tie-breakers make the result independent of the
 * order checks arrive in when two share a checked_at; lastCheckOrder in monitors.sql.ts is the same order in SQL.
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
