import { COMMAND_TYPES } from '@vinsight/domain';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { defaultConverters } from 'class-validator-jsonschema/build/defaultConverters';
import { OPTIONS, commandMessageJsonSchema, commandMessageJsonSchemas, commandPayloadJsonSchema } from './command-json-schemas';

/**
 * Every class-validator metadata registered once the command DTOs are loaded (by the schemas' module): the envelope's, every
 * payload's and every nested DTO's (a nested DTO is reached through its parent's property type,
 * which the test transformer does not emit, so the whole storage is read).
 */
function commandDtoMetadatas() {
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<{ name: string }, { type: string; name?: string; propertyName: string }[]>;
  };
  return [...storage.validationMetadatas].flatMap(([target, metas]) =>
    metas.map((meta) => ({ target: target.name, type: meta.type, name: meta.name, propertyName: meta.propertyName })),
  );
}

describe('command JSON Schemas (generated from the DTOs)', () => {
  // The schemas feed the processor's compiled validation, which must never be looser than the
  // DTOs: a decorator with no converter would vanish from the schema without a word.
  it('has a converter for every decorator the command DTOs use', () => {
    const converters = { ...defaultConverters, ...OPTIONS.additionalConverters } as Record<string, unknown>;
    const metadatas = commandDtoMetadatas();
    expect(metadatas.length).toBeGreaterThan(50);
    const unconverted = metadatas.filter((meta) =>
      meta.type === ValidationTypes.CUSTOM_VALIDATION ? !(meta.name && meta.name in converters) : !(meta.type in converters),
    );
    expect(unconverted).toEqual([]);
  });

  it('has a message schema for every command type', () => {
    const schemas = commandMessageJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual([...COMMAND_TYPES].sort());
    for (const type of COMMAND_TYPES) {
      expect(schemas[type]).toMatchObject({ title: type, type: 'object', properties: { type: { const: type } } });
    }
  });

  it('describes the envelope: required fields, formats, and unknown fields allowed', () => {
    const schema = commandMessageJsonSchema('DeleteTenant');
    expect(schema.required).toEqual(['commandId', 'type', 'tenantId']);
    expect(schema.additionalProperties).toBe(true);
    expect(schema.properties).toMatchObject({
      commandId: { type: 'string', format: 'uuid' },
      tenantId: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
      expectedVersion: { type: 'integer', minimum: 0 },
      correlationId: { format: 'uuid' },
      issuedBy: { type: 'string', maxLength: 100 },
      issuedAt: { type: 'string', format: 'date-time' },
      payload: { type: 'object', properties: {}, additionalProperties: false },
    });
  });

  it('describes payloads with limits, patterns, enums and defaults, refusing unknown fields', () => {
    expect(commandPayloadJsonSchema('CreateMonitor')).toEqual({
      type: 'object',
      properties: {
        monitorId: { type: 'string', format: 'uuid' },
        name: { type: 'string', minLength: 1, maxLength: 255 },
        url: { type: 'string', format: 'uri', minLength: 1, maxLength: 2048 },
        checkInterval: { type: 'integer', minimum: 10, maximum: 86_400, default: 300 },
      },
      required: ['monitorId', 'name', 'url'],
      additionalProperties: false,
    });
    expect(commandPayloadJsonSchema('CreateTenant')).toMatchObject({
      properties: {
        slug: { minLength: 3, maxLength: 100, pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
        plan: { enum: ['free', 'pro', 'enterprise'], default: 'free' },
      },
      required: ['name', 'slug'],
    });
    expect(commandPayloadJsonSchema('RegisterUser')).toMatchObject({
      properties: {
        email: { format: 'email', maxLength: 255 },
        passwordHash: { pattern: '^\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}$' },
        role: { enum: ['owner', 'admin', 'user'], default: 'user' },
      },
    });
    expect(commandPayloadJsonSchema('IssueApiKey')).toMatchObject({
      properties: { tokenSha256: { pattern: '^[0-9a-f]{64}$' }, expiresAt: { type: 'string', format: 'date-time' } },
      required: ['apiKeyId', 'name', 'tokenSha256'],
    });
    expect(commandPayloadJsonSchema('RecordCheckResult')).toMatchObject({
      properties: {
        status: { enum: ['up', 'down', 'error'] },
        responseTimeMs: { type: 'number', minimum: 0, maximum: 600_000 },
        statusCode: { type: 'integer', minimum: 100, maximum: 599 },
        checkedAt: { type: 'string', format: 'date-time' },
      },
      required: ['monitorId', 'checkId', 'status', 'checkedAt'],
    });
  });

  it('inlines the recurrence of ScheduleMaintenance, refusing unknown fields there too', () => {
    expect(commandPayloadJsonSchema('ScheduleMaintenance')).toMatchObject({
      properties: {
        maintenanceWindowId: { type: 'string', format: 'uuid' },
        startsAt: { type: 'string', format: 'date-time' },
        endsAt: { type: 'string', format: 'date-time' },
        recurrence: {
          type: 'object',
          additionalProperties: false,
          properties: {
            daysOfWeek: {
              type: 'array',
              minItems: 1,
              maxItems: 7,
              uniqueItems: true,
              items: { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
            },
            startTime: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
            durationMinutes: { type: 'integer', minimum: 1, maximum: 10_080 },
            timezone: { type: 'string', maxLength: 64 },
          },
          required: ['daysOfWeek', 'startTime', 'durationMinutes', 'timezone'],
        },
      },
      required: ['maintenanceWindowId', 'startsAt'],
    });
    expect(JSON.stringify(commandPayloadJsonSchema('ScheduleMaintenance'))).not.toContain('$ref');
  });

  it('says that UpdateMonitor needs at least one of name, url, checkInterval', () => {
    expect(commandPayloadJsonSchema('UpdateMonitor')).toMatchObject({
      required: ['monitorId'],
      anyOf: [{ required: ['name'] }, { required: ['url'] }, { required: ['checkInterval'] }],
    });
  });
});
