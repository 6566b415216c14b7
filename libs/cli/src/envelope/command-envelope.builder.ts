import type { EnvelopeOverrides } from '../arguments/cli-arguments';
import { UsageError } from '../exit-codes';

/** What a CLI run stamps on envelopes: ids and the time, injected so that tests fix them. */
export interface EnvelopeContext {
  newId(): string;
  now(): Date;
}

export const DEFAULT_ISSUED_BY = 'vinsight-cli';

/** A command envelope (asyncapi.yaml, CommandEnvelope) with the fields the CLI needs to publish and wait. */
export interface OutgoingEnvelope {
  readonly commandId: string;
  readonly type: string;
  readonly tenantId: string;
  readonly payload: unknown;
  readonly [field: string]: unknown;
}

/** Reads the `--file` text: one JSON object, the envelope. */
export function parseEnvelopeFile(text: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${source} must hold one JSON object, the command envelope`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The envelope to publish: the file's fields (if any), replaced by the flags given, with a fresh
 * commandId when there is none, and issuedBy/issuedAt stamped unless set. Whatever else the
 * file says is sent as it is: the command processor is the one that validates, and its
 * rejection (printed as the result) names the field.
 */
export function buildCommandEnvelope(
  base: Record<string, unknown>,
  overrides: EnvelopeOverrides,
  options: { readonly issuedBy?: string },
  context: EnvelopeContext,
): OutgoingEnvelope {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const merged: Record<string, unknown> = { ...base, ...given };
  const { commandId, type, tenantId, payload, issuedBy, issuedAt, ...rest } = merged;
  if (typeof type !== 'string' || type.trim() === '') throw new UsageError('the command has no type (--type, or "type" in the file)');
  // The tenant id is the message key: without a string there is no partition to send to.
  if (typeof tenantId !== 'string' || tenantId.trim() === '') {
    throw new UsageError('the command has no tenantId (--tenant, or "tenantId" in the file)');
  }
  // A commandId that is not a string sends the message to the dead-letter topic, with no result to wait for.
  if (commandId !== undefined && commandId !== null && (typeof commandId !== 'string' || commandId.trim() === '')) {
    throw new UsageError('"commandId" must be a string (or absent, to generate one)');
  }
  return {
    commandId: typeof commandId === 'string' ? commandId : context.newId(),
    type,
    tenantId,
    ...rest,
    issuedBy: options.issuedBy ?? issuedBy ?? DEFAULT_ISSUED_BY,
    issuedAt: issuedAt ?? context.now().toISOString(),
    payload: payload ?? {},
  };
}
