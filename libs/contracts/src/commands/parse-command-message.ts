import { plainToInstance } from 'class-transformer';
import type { ValidationError, ValidatorOptions } from 'class-validator';
import { validateSync } from 'class-validator';
import type { DomainCommand, ErrorDetail } from '@vinsight/domain';
import type { CommandType } from '@vinsight/domain';
import { COMMAND_TYPES, isCommandType } from '@vinsight/domain';
import type { WireError } from '../errors/wire-error';
import { CommandEnvelopeDto } from './command-envelope.dto';
import { COMMAND_SPECS, present } from './command-registry';
import { acceptsAsIs } from './compiled-command-validation';
import { structureProblem } from './json-structure';

/** asyncapi.yaml, CommandEnvelope: "A message larger than 256 KiB is rejected". */
export const MAX_COMMAND_BYTES = 256 * 1024;

export interface CommandMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  /** The processor's clock, which becomes the command's `metadata.now`. */
  readonly now: Date;
  readonly maxBytes?: number;
}

/** What the caller can be answered with, read as far as the message allowed. */
export interface RejectedCommand {
  readonly kind: 'rejected';
  readonly commandId: string;
  readonly correlationId: string;
  /** The envelope's tenantId when it is a string, else the message key; null when neither. */
  readonly tenantId: string | null;
  readonly type: string | null;
  readonly error: WireError;
}

export type ParsedCommandMessage =
  /** No usable envelope (no commandId to answer to): the message goes to the dead-letter topic. */
  { readonly kind: 'malformed'; readonly reason: string } | RejectedCommand | { readonly kind: 'command'; readonly command: DomainCommand };

/**
 * Unknown payload fields are rejected (VALIDATION_FAILED naming the field), not ignored. An
 * ignored field fails silently: a typo such as `checkinterval` would create a monitor with the
 * default interval and an "accepted" result. The contract grows service-first (new
 * optional fields are added by this service), so a producer only sends a new field once the
 * processor knows it; during a rolling upgrade it gets a clear, retryable rejection instead of a
 * half-applied command. Unknown envelope fields, by contrast, are ignored (see the envelope DTO).
 */
const PAYLOAD_VALIDATION: ValidatorOptions = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false };
const ENVELOPE_VALIDATION: ValidatorOptions = { whitelist: true, forbidNonWhitelisted: false, forbidUnknownValues: false };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads one message of the commands topic into a domain command, or says why not: `malformed`
 * (to the DLQ, with no result), `rejected` (a result with the error), or `command`. Checks run
 * in this order: JSON and a commandId; size; structure (nesting, value count, forbidden keys);
 * envelope fields; tenant id against the key; the command type; the payload. Pure but for
 * reading the clock it is given.
 */
export function parseCommandMessage(message: CommandMessage): ParsedCommandMessage {
  return parse(message, true);
}

/**
 * parseCommandMessage with the decorators alone (no compiled validation): the reference the
 * compiled validation is proven against.
 */
export function parseCommandMessageByDecorators(message: CommandMessage): ParsedCommandMessage {
  return parse(message, false);
}

function parse(message: CommandMessage, compiled: boolean): ParsedCommandMessage {
  const { value, now, maxBytes = MAX_COMMAND_BYTES } = message;
  const key = message.key === null ? null : typeof message.key === 'string' ? message.key : decodeKey(message.key);
  if (value === null) return malformed('the message has no value (a tombstone)');

  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return malformed('the value is not valid UTF-8');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return malformed(`the value is not JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(raw)) return malformed('the value is not a JSON object');
  if (typeof raw.commandId !== 'string' || raw.commandId.trim() === '') {
    return malformed('the envelope has no commandId string, so no result can be addressed');
  }

  const reject = rejecter(raw, key);
  if (value.length > maxBytes) {
    return reject('VALIDATION_FAILED', `the message is ${value.length} bytes; the limit is ${maxBytes}`);
  }
  const structure = structureProblem(raw);
  if (structure !== null) return reject('VALIDATION_FAILED', `the command's structure is refused: ${structure.message}`, [structure]);

  if (compiled) {
    const command = acceptedAsIs(raw, key, now);
    if (command) return { kind: 'command', command };
  }

  const envelope = plainToInstance(CommandEnvelopeDto, raw);
  const envelopeErrors = [
    ...detailsOf(validateSync(envelope, ENVELOPE_VALIDATION)),
    ...(isPlainObject(envelope.payload) ? [] : [{ field: 'payload', message: 'payload must be a JSON object' }]),
  ];
  if (envelopeErrors.length > 0) return reject('VALIDATION_FAILED', 'the command envelope is invalid', envelopeErrors);

  if (key !== envelope.tenantId) {
    return reject('TENANT_MISMATCH', `tenantId ${envelope.tenantId} does not equal the message key ${key ?? '(none)'}`, [
      { field: 'tenantId', message: 'must equal the Kafka message key' },
    ]);
  }

  if (!isCommandType(envelope.type)) {
    return reject('UNKNOWN_COMMAND', `unknown command type "${envelope.type}"`, [
      { field: 'type', message: `must be one of ${COMMAND_TYPES.join(', ')}` },
    ]);
  }

  const spec = COMMAND_SPECS[envelope.type];
  const payload = plainToInstance(spec.payload, envelope.payload as object);
  const payloadErrors = [...detailsOf(validateSync(payload, PAYLOAD_VALIDATION), 'payload.'), ...(spec.check?.(payload) ?? [])];
  if (payloadErrors.length > 0) return reject('VALIDATION_FAILED', `the ${envelope.type} payload is invalid`, payloadErrors);

  return { kind: 'command', command: toCommand(envelope, envelope.type, spec.toData(payload), now) };
}

/**
 * The command, when the compiled validation accepts the message as it stands, so that the
 * decorators would neither change nor refuse any of it (compiled-command-validation.ts); null
 * sends it to the decorators.
 */
function acceptedAsIs(raw: Record<string, unknown>, key: string | null, now: Date): DomainCommand | null {
  const { type } = raw;
  if (typeof type !== 'string' || !isCommandType(type) || key !== raw.tenantId || !acceptsAsIs(type, raw)) return null;
  const spec = COMMAND_SPECS[type];
  const payload = Object.assign(new spec.payload(), raw.payload);
  if ((spec.check?.(payload) ?? []).length > 0) return null;
  return toCommand(raw as unknown as CommandEnvelopeDto, type, spec.toData(payload), now);
}

function toCommand(envelope: CommandEnvelopeDto, type: CommandType, data: unknown, now: Date): DomainCommand {
  return {
    type,
    data,
    metadata: {
      commandId: envelope.commandId,
      tenantId: envelope.tenantId,
      correlationId: envelope.correlationId ?? envelope.commandId,
      ...(present(envelope.issuedBy) && { issuedBy: envelope.issuedBy }),
      ...(present(envelope.issuedAt) && { issuedAt: new Date(envelope.issuedAt) }),
      now,
      ...(present(envelope.expectedVersion) && { expectedVersion: envelope.expectedVersion }),
    },
  } as DomainCommand;
}

/** Who to answer about a message, without reading more of it than its top level: null when it has no commandId. */
export type CommandAddress = Pick<RejectedCommand, 'commandId' | 'correlationId' | 'tenantId' | 'type'>;

/**
 * The address of a message's result, read as parseCommandMessage reads it before any check of
 * the message itself: for answering a command whose parsing failed unexpectedly.
 */
export function commandAddress(message: Pick<CommandMessage, 'key' | 'value'>): CommandAddress | null {
  try {
    const raw: unknown = message.value === null ? null : JSON.parse(utf8.decode(message.value));
    if (!isPlainObject(raw) || typeof raw.commandId !== 'string' || raw.commandId.trim() === '') return null;
    const key = message.key === null ? null : typeof message.key === 'string' ? message.key : decodeKey(message.key);
    const { commandId, correlationId, tenantId, type } = rejecter(raw, key)('VALIDATION_FAILED', '');
    return { commandId, correlationId, tenantId, type };
  } catch {
    return null;
  }
}

function rejecter(raw: Record<string, unknown>, key: string | null) {
  const commandId = raw.commandId as string;
  return (code: WireError['code'], message: string, details: readonly ErrorDetail[] = []): RejectedCommand => ({
    kind: 'rejected',
    commandId,
    // Echo what the caller sent, even if invalid: it is how they find this result.
    correlationId: typeof raw.correlationId === 'string' && raw.correlationId !== '' ? raw.correlationId : commandId,
    tenantId: typeof raw.tenantId === 'string' ? raw.tenantId : key,
    type: typeof raw.type === 'string' ? raw.type : null,
    error: { code, message, details },
  });
}

/** When a value has the wrong type, its range and length messages are noise. */
const TYPE_CONSTRAINTS = new Set(['isString', 'isInt', 'isNumber']);

/** One detail per field, its constraint messages joined in the order they are declared. */
function detailsOf(errors: readonly ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((error): ErrorDetail[] => {
    // A nested object (ScheduleMaintenance's recurrence) reports its own fields' errors as children.
    if (error.constraints === undefined && error.children !== undefined && error.children.length > 0) {
      return detailsOf(error.children, `${prefix}${error.property}.`);
    }
    const constraints = Object.entries(error.constraints ?? {}).reverse();
    const typeErrors = constraints.filter(([name]) => TYPE_CONSTRAINTS.has(name));
    const shown = typeErrors.length > 0 ? typeErrors : constraints;
    return [
      {
        field: prefix + error.property,
        message: shown.map(([, message]) => message).join('; ') || `${error.property} is invalid`,
      },
    ];
  });
}

function decodeKey(key: Buffer): string | null {
  try {
    return utf8.decode(key);
  } catch {
    return null;
  }
}

const malformed = (reason: string): ParsedCommandMessage => ({ kind: 'malformed', reason });

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
