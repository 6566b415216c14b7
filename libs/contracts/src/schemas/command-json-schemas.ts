import 'reflect-metadata';
import type { CommandType, TextRule } from '@vinsight/domain';
import { COMMAND_TYPES } from '@vinsight/domain';
import { getMetadataStorage } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import { CommandEnvelopeDto } from '../commands/command-envelope.dto';
import { COMMAND_SPECS } from '../commands/command-registry';

export type JsonSchema = Record<string, unknown>;

/** Exported for the spec that proves every decorator the DTOs use has a converter here or in the library. */
export const OPTIONS: NonNullable<Parameters<typeof targetConstructorToSchema>[1]> = {
  classValidatorMetadataStorage: getMetadataStorage(),
  additionalConverters: {
    // Our own decorator, and the standard name of the URL format (the library says "url").
    isIsoDateTime: { type: 'string', format: 'date-time' },
    isUrl: { type: 'string', format: 'uri' },
    isIanaTimeZone: { type: 'string', format: 'iana-time-zone' },
    isText: (meta) => {
      const rule = meta.constraints[0] as TextRule;
      return { type: 'string', ...(rule.min > 0 && { minLength: rule.min }), maxLength: rule.max };
    },
  },
};

/**
 * The schema of a DTO class as class-validator-jsonschema derives it from the decorators, plus
 * what the decorators alone do not say: property initialisers are defaults (so not required),
 * and `additionalProperties` follows the parser (payloads refuse unknown fields, the envelope
 * ignores them). A class with no decorators at all (an empty payload) is an empty object.
 */
function schemaOf(dto: new () => object, options: { closed: boolean }): JsonSchema {
  const generated = targetConstructorToSchema(dto, OPTIONS) as JsonSchema;
  const properties = { ...((generated.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  let required = [...((generated.required as string[] | undefined) ?? [])];
  for (const [name, value] of Object.entries(new dto())) {
    if (value === undefined || !(name in properties)) continue;
    properties[name] = { ...properties[name], default: value };
    required = required.filter((field) => field !== name);
  }
  const rest = { ...generated };
  delete rest.required;
  return {
    ...rest,
    type: 'object',
    properties,
    ...(required.length > 0 && { required }),
    additionalProperties: !options.closed,
  };
}

/** The payload of one command type, as `parseCommandMessage` validates it. */
export function commandPayloadJsonSchema(type: CommandType): JsonSchema {
  return schemaOf(COMMAND_SPECS[type].payload, { closed: true });
}

/** A whole commands-topic message of one type: the envelope with `type` fixed and its payload. */
export function commandMessageJsonSchema(type: CommandType): JsonSchema {
  const envelope = schemaOf(CommandEnvelopeDto, { closed: false });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:vinsight:commands:${type}`,
    title: type,
    ...envelope,
    properties: {
      ...(envelope.properties as Record<string, JsonSchema>),
      type: { type: 'string', const: type },
      payload: commandPayloadJsonSchema(type),
    },
  };
}

/** Every command type's message schema, for other teams' producers and docs. */
export function commandMessageJsonSchemas(): Record<CommandType, JsonSchema> {
  return Object.fromEntries(COMMAND_TYPES.map((type) => [type, commandMessageJsonSchema(type)])) as Record<CommandType, JsonSchema>;
}
