import { ValidationFailedError } from '../errors/read-api.errors';

/**
 * Opaque keyset cursors: base64url of JSON `[kind, ...key]`, where the key is the sort key of the
 * last row of a page. A cursor only says where to continue; which rows exist is decided by the
 * query under the caller's tenant, so a cursor taken from another tenant's page reveals nothing.
 */
export type CursorKind = 'users' | 'monitors' | 'checks' | 'incidents' | 'audit-events' | 'maintenance-windows';

export interface TimeIdKey {
  at: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(kind: CursorKind, key: TimeIdKey): string {
  return Buffer.from(JSON.stringify([kind, key.at.toISOString(), key.id]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: CursorKind, cursor: string | undefined): TimeIdKey | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () => new ValidationFailedError([{ field: 'cursor', message: 'is not a cursor of this list' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== kind) throw invalid();
  const [, at, id] = parsed as unknown[];
  if (typeof at !== 'string' || !ISO.test(at) || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== at) throw invalid();
  return { at: date, id };
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Rows were fetched with `limit + 1`: the extra row only says that another page exists. */
export function toPage<R, T>(rows: R[], limit: number, kind: CursorKind, keyOf: (row: R) => TimeIdKey, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    data: pageRows.map(map),
    nextCursor: hasMore ? encodeCursor(kind, keyOf(pageRows[pageRows.length - 1])) : null,
  };
}
