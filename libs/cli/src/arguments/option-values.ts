import { parseArgs, ParseArgsConfig } from 'node:util';
import { LOWERCASE_UUID_PATTERN } from '@vinsight/contracts';
import { UsageError } from '../exit-codes';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

export function parseOptions(args: string[], options: Options, command: string): Values {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Values;
  } catch (error) {
    // node:util reports unknown options, missing values and stray arguments as TypeErrors.
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
}

export const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

export const text = (values: Values, name: string): string | undefined => values[name] as string | undefined;

export function nonEmpty(values: Values, name: string): string | undefined {
  const value = text(values, name)?.trim();
  if (value === '') throw new UsageError(`--${name} must not be empty`);
  return value;
}

export function uuid(values: Values, name: string): string | undefined {
  const value = nonEmpty(values, name)?.toLowerCase();
  if (value !== undefined && !LOWERCASE_UUID_PATTERN.test(value))
    throw new UsageError(`--${name} must be a UUID (got "${text(values, name)}")`);
  return value;
}

/** The tenant id is the message key, so its canonical lower-case form is what gets sent. */
export const tenantId = (values: Values) => uuid(values, 'tenant');

export function integer(values: Values, name: string, minimum: number): number | undefined {
  const value = nonEmpty(values, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be an integer >= ${minimum} (got "${value}")`);
  }
  return Number(value);
}

export function jsonObject(values: Values, name: string): Record<string, unknown> | undefined {
  const value = text(values, name);
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new UsageError(`--${name} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--${name} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** A time with a zone, as the contract wants; the processor checks it again. */
export function isoTime(values: Values, name: string): string | undefined {
  const value = nonEmpty(values, name);
  if (value === undefined) return undefined;
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  if (!withZone.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--${name} must be an ISO-8601 time with a zone, e.g. 2026-01-01T00:00:00Z (got "${value}")`);
  }
  return value;
}

export function oneOf<T extends string>(values: Values, name: string, allowed: readonly T[]): T | undefined {
  const value = nonEmpty(values, name);
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T | undefined;
}

export function decimal(values: Values, name: string, minimum: number): number | undefined {
  const value = nonEmpty(values, name);
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < minimum)
    throw new UsageError(`--${name} must be a number >= ${minimum} (got "${value}")`);
  return Number(value);
}

export function required<T>(value: T | undefined, command: string, name: string): T {
  if (value === undefined) throw new UsageError(`${command} needs --${name}`);
  return value;
}
