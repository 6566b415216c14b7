import Ajv, { ValidateFunction } from 'ajv';
import { isUUID } from 'class-validator';
import type { CommandType } from '@vinsight/domain';
import { COMMAND_TYPES, isIanaTimeZone, normalizeText, textProblem } from '@vinsight/domain';
import { commandMessageJsonSchema, JsonSchema } from '../schemas/command-json-schemas';
import { HTTP_URL } from './payloads/monitor.payloads';
import { isEmailText, isIsoDateTime, isUrlText } from './wire-format.decorators';

/**
 * The commands' validation compiled once, for the hot path: the JSON Schema of each command
 * type, as generated from the class-validator DTOs (command-json-schemas.ts), compiled by ajv
 * into one function. The DTOs stay the source of truth: a message this validation accepts is
 * one they accept unchanged (already trimmed, in NFC, ids in lower case), and every other
 * message goes to them, for the same answer and the same error details as ever. So it may only
 * be stricter than the decorators, never looser, which is why:
 * - each format is the decorator's own check (`uuid` also wants the lower-case form the
 *   decorators would normalise to, `uri` the monitors' HTTP_URL options);
 * - every free text (a string without `const`, `enum` or `pattern`) must already be in its
 *   normalised form and pass the domain's text rule in its strictest form (single line);
 * - ajv runs in strict mode, so a keyword or format it does not know stops the compilation
 *   instead of being ignored.
 * `parse-command-message.spec.ts` proves on generated messages that parsing with and without it
 * gives the same result, and `compiled-command-validation.spec.ts` that every DTO option the
 * formats assume is the one the DTOs use.
 */
const STRICTEST_TEXT = { min: 0, max: Number.MAX_SAFE_INTEGER, multiline: false } as const;

const isCanonicalText = (value: string) => normalizeText(value) === value && textProblem(value, STRICTEST_TEXT) === null;

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allErrors: false, unicodeRegExp: true });
  ajv.addFormat('uuid', { type: 'string', validate: (value) => isUUID(value, 'all') && value === value.toLowerCase() });
  ajv.addFormat('date-time', { type: 'string', validate: isIsoDateTime });
  ajv.addFormat('uri', { type: 'string', validate: (value) => isUrlText(value, HTTP_URL) });
  ajv.addFormat('email', { type: 'string', validate: (value) => isEmailText(value) });
  ajv.addFormat('iana-time-zone', { type: 'string', validate: isIanaTimeZone });
  ajv.addKeyword({
    keyword: 'canonicalText',
    type: 'string',
    schemaType: 'boolean',
    validate: (wanted: boolean, value: string) => !wanted || isCanonicalText(value),
    errors: false,
  });
  return ajv;
}

/** The schema with `canonicalText` on every free text property, envelope and payload. */
function withCanonicalText(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return schema;
  const marked = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => {
      const free = property.type === 'string' && !('const' in property) && !('enum' in property) && !('pattern' in property);
      return [name, free ? { ...property, canonicalText: true } : withCanonicalText(property)];
    }),
  );
  return { ...schema, properties: marked };
}

let compiled: ReadonlyMap<CommandType, ValidateFunction> | undefined;

/** Every command type's validation, compiled on first use (a schema ajv refuses fails every type's spec). */
export function compiledCommandValidators(): ReadonlyMap<CommandType, ValidateFunction> {
  if (!compiled) {
    const ajv = newAjv();
    compiled = new Map(COMMAND_TYPES.map((type) => [type, ajv.compile(withCanonicalText(commandMessageJsonSchema(type)))]));
  }
  return compiled;
}

/** Whether the compiled validation of `type` accepts `message` (a whole commands-topic message) as it stands. */
export function acceptsAsIs(type: CommandType, message: Record<string, unknown>): boolean {
  return compiledCommandValidators().get(type)!(message);
}
