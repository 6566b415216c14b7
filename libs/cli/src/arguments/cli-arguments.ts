import { parseArgs, ParseArgsConfig } from 'node:util';
import { LOWERCASE_UUID_PATTERN } from '@vinsight/contracts';
import { UsageError } from '../exit-codes';

export const DEFAULT_TIMEOUT_MS = 30_000;

interface CommonOptions {
  /** Recorded as the envelope's issuedBy when given; the envelope builder has the default. */
  readonly issuedBy?: string;
  /** How long to wait for the command's result. */
  readonly timeoutMs: number;
}

/** Envelope fields given as flags; they replace the same fields of `--file`. */
export interface EnvelopeOverrides {
  readonly type?: string;
  readonly tenantId?: string;
  readonly payload?: Record<string, unknown>;
  readonly commandId?: string;
  readonly expectedVersion?: number;
  readonly correlationId?: string;
}

export interface SendCommandRequest extends CommonOptions {
  readonly kind: 'command-send';
  /** A path, or `-` for standard input. */
  readonly file?: string;
  readonly overrides: EnvelopeOverrides;
}

export interface CreateApiKeyRequest extends CommonOptions {
  readonly kind: 'api-key-create';
  readonly tenantId: string;
  readonly name: string;
  readonly expiresAt?: string;
}

export type CliRequest = { readonly kind: 'help' } | SendCommandRequest | CreateApiKeyRequest;

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = {
  'issued-by': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const SEND: Options = {
  ...COMMON,
  file: { type: 'string', short: 'f' },
  type: { type: 'string' },
  tenant: { type: 'string' },
  payload: { type: 'string' },
  'command-id': { type: 'string' },
  'expected-version': { type: 'string' },
  'correlation-id': { type: 'string' },
};

const API_KEY_CREATE: Options = {
  ...COMMON,
  tenant: { type: 'string' },
  name: { type: 'string' },
  'expires-at': { type: 'string' },
};

type Values = Record<string, string | boolean | undefined>;

/** Reads `<noun> <verb> [--option value]...`; throws UsageError, never publishes anything. */
export function parseCliArguments(argv: readonly string[]): CliRequest {
  const [noun, verb, ...rest] = argv;
  if (noun === undefined) throw new UsageError('no command given');
  if (noun === 'help' || noun === '--help' || noun === '-h') return { kind: 'help' };
  const command = `${noun} ${verb ?? ''}`.trim();
  switch (command) {
    case 'command send': {
      const values = parse(rest, SEND, command);
      if (values.help) return { kind: 'help' };
      return sendCommandRequest(values);
    }
    case 'api-key create': {
      const values = parse(rest, API_KEY_CREATE, command);
      if (values.help) return { kind: 'help' };
      return createApiKeyRequest(values);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse(args: string[], options: Options, command: string): Values {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Values;
  } catch (error) {
    // node:util reports unknown options, missing values and stray arguments as TypeErrors.
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
}

function sendCommandRequest(values: Values): SendCommandRequest {
  const file = text(values, 'file');
  const overrides: EnvelopeOverrides = {
    ...optional('type', nonEmpty(values, 'type')),
    ...optional('tenantId', tenantId(values)),
    ...optional('payload', jsonObject(values, 'payload')),
    ...optional('commandId', uuid(values, 'command-id')),
    ...optional('expectedVersion', integer(values, 'expected-version', 0)),
    ...optional('correlationId', uuid(values, 'correlation-id')),
  };
  if (file === undefined && (overrides.type === undefined || overrides.tenantId === undefined)) {
    throw new UsageError('command send needs --file, or --type and --tenant');
  }
  return { kind: 'command-send', ...optional('file', file), overrides, ...common(values) };
}

function createApiKeyRequest(values: Values): CreateApiKeyRequest {
  const tenant = tenantId(values);
  const name = nonEmpty(values, 'name');
  if (tenant === undefined) throw new UsageError('api-key create needs --tenant');
  if (name === undefined) throw new UsageError('api-key create needs --name');
  return {
    kind: 'api-key-create',
    tenantId: tenant,
    name,
    ...optional('expiresAt', isoTime(values, 'expires-at')),
    ...common(values),
  };
}

function common(values: Values): CommonOptions {
  return {
    timeoutMs: integer(values, 'timeout', 1) ?? DEFAULT_TIMEOUT_MS,
    ...optional('issuedBy', nonEmpty(values, 'issued-by')),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const text = (values: Values, name: string): string | undefined => values[name] as string | undefined;

function nonEmpty(values: Values, name: string): string | undefined {
  const value = text(values, name)?.trim();
  if (value === '') throw new UsageError(`--${name} must not be empty`);
  return value;
}

function uuid(values: Values, name: string): string | undefined {
  const value = nonEmpty(values, name)?.toLowerCase();
  if (value !== undefined && !LOWERCASE_UUID_PATTERN.test(value)) throw new UsageError(`--${name} must be a UUID (got "${text(values, name)}")`);
  return value;
}

/** The tenant id is the message key, so its canonical lower-case form is what gets sent. */
const tenantId = (values: Values) => uuid(values, 'tenant');

function integer(values: Values, name: string, minimum: number): number | undefined {
  const value = nonEmpty(values, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be an integer >= ${minimum} (got "${value}")`);
  }
  return Number(value);
}

function jsonObject(values: Values, name: string): Record<string, unknown> | undefined {
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
function isoTime(values: Values, name: string): string | undefined {
  const value = nonEmpty(values, name);
  if (value === undefined) return undefined;
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  if (!withZone.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(`--${name} must be an ISO-8601 time with a zone, e.g. 2026-01-01T00:00:00Z (got "${value}")`);
  }
  return value;
}
