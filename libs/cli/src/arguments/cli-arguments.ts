import { UsageError } from '../exit-codes';
import { COMMAND_VERBS, CommandVerbRequest } from '../verbs/command-verbs';
import { integer, isoTime, jsonObject, nonEmpty, optional, Options, parseOptions, tenantId, text, uuid, Values } from './option-values';

export const DEFAULT_TIMEOUT_MS = 30_000;

interface CommonOptions {
  /** Recorded as the envelope's issuedBy when given; the envelope builder has the default. */
  readonly issuedBy?: string;
  /** How long to wait for Kafka to connect, and then for each command's result. */
  readonly timeoutMs: number;
  /** Print only this field of the JSON output (dotted path, e.g. `tenantId`, `result.position`), as plain text. */
  readonly output?: string;
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

export type VerbRequest = CommandVerbRequest & CommonOptions;

/** `projections ...`: handed as it is to the projections CLI, which reads its own arguments. */
export interface ProjectionsRequest {
  readonly kind: 'projections';
  readonly args: readonly string[];
}

export type CliRequest = { readonly kind: 'help' } | SendCommandRequest | CreateApiKeyRequest | VerbRequest | ProjectionsRequest;

const COMMON: Options = {
  'issued-by': { type: 'string' },
  timeout: { type: 'string' },
  output: { type: 'string', short: 'o' },
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

/** Reads `<noun> <verb> [--option value]...`; throws UsageError, never publishes anything. */
export function parseCliArguments(argv: readonly string[]): CliRequest {
  const [noun, verb, ...rest] = argv;
  if (noun === undefined) throw new UsageError('no command given');
  if (noun === 'help' || noun === '--help' || noun === '-h') return { kind: 'help' };
  if (noun === 'projections') return { kind: 'projections', args: argv.slice(1) };
  const command = `${noun} ${verb ?? ''}`.trim();
  const commandVerb = COMMAND_VERBS[command];
  if (commandVerb !== undefined) {
    const values = parseOptions(rest, { ...COMMON, ...commandVerb.options }, command);
    if (values.help) return { kind: 'help' };
    return { kind: 'command-verb', ...commandVerb.read(values, command), ...common(values) };
  }
  switch (command) {
    case 'command send': {
      const values = parseOptions(rest, SEND, command);
      if (values.help) return { kind: 'help' };
      return sendCommandRequest(values);
    }
    case 'api-key create': {
      const values = parseOptions(rest, API_KEY_CREATE, command);
      if (values.help) return { kind: 'help' };
      return createApiKeyRequest(values);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
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
    ...optional('output', nonEmpty(values, 'output')),
  };
}
