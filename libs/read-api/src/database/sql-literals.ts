import { escapeLiteral } from 'pg';

/**
 * Literals for the single-round-trip statements of the pg hot path (read-models.database.ts).
 * The simple query protocol, which is what runs several statements in one message, takes no
 * parameters, so values are inlined. Only values of a strictly checked shape ever are: a
 * canonical UUID or a 64-hex hash, an integer, a boolean, a timestamp; free text only through
 * pg's escapeLiteral. Anything else throws before it could reach SQL text.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function uuidLiteral(value: string): string {
  if (!UUID.test(value)) throw new Error('not a canonical UUID');
  return `'${value}'::uuid`;
}

export function sha256Literal(value: string): string {
  if (!SHA256_HEX.test(value)) throw new Error('not a SHA-256 hex digest');
  return `'${value}'`;
}

export function timestampLiteral(value: Date): string {
  const iso = value.toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso)) throw new Error('timestamp out of range');
  return `'${iso}'::timestamptz`;
}

/** Any text, quoted by pg's own escaping (E'' form when it has backslashes). */
export function textLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('text with NUL characters');
  return escapeLiteral(value);
}

export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error('not an integer');
  return String(value);
}

export function booleanLiteral(value: boolean): string {
  return value ? 'true' : 'false';
}
