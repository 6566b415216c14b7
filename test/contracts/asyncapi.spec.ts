import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import {
  acceptedResult,
  commandMessageJsonSchema,
  commandPayloadJsonSchema,
  ERROR_CODES,
  EVENT_VERSIONING,
  EventEnvelope,
  eventHeaders,
  eventTopicRole,
  parseCommandMessage,
  rejectedResult,
  toDeadLetter,
  toEventEnvelope,
} from '@vinsight/contracts';
import {
  AGGREGATE_TYPE_OF_EVENT,
  CHECK_STATUSES,
  COMMAND_TYPES,
  CommandType,
  decide,
  EVENT_TYPES,
  evolveTenantWriteState,
  initialTenantWriteState,
  PLANS,
  TenantWriteState,
  USER_ROLES,
} from '@vinsight/domain';
import { TOPIC_RETENTION_MS, topicNames, TopicRole } from '@vinsight/kafka';
import { emailHasher, newAesKey, newIv } from '@vinsight/personal-data';
import { testPersonalDataKeys } from '../../libs/personal-data/src/testing/test-keys';

/** The processor's keyed email hash (with the test key). */
const ports = { emailHashOf: emailHasher(testPersonalDataKeys().emailHashKey) };
import { sealPersonalFields } from '../../libs/command-processing/src/personal-data/seal-personal-fields';

/**
 * asyncapi.yaml is written by hand for readers, so this spec is what keeps it true: it must
 * parse without errors or warnings, name every command and event type, carry exactly the
 * command schemas generated from the DTOs, and accept the real messages the code produces
 * (commands, events from the deciders, results, dead letters), with nothing undeclared.
 */
type Json = Record<string, any>;

const DOCUMENT_PATH = join(__dirname, '..', '..', 'asyncapi.yaml');
const text = readFileSync(DOCUMENT_PATH, 'utf8');
const doc = parse(text) as Json;
const DEFAULT_TOPICS = topicNames('vinsight.');
const NOW = new Date('2025-01-15T12:00:00.000Z');
const SCHEMA_ROOT = 'urn:vinsight:asyncapi';

function deref(node: Json): Json {
  let current = node;
  for (let hops = 0; typeof current?.$ref === 'string'; hops += 1) {
    if (hops > 20 || !current.$ref.startsWith('#/')) throw new Error(`cannot follow ${current.$ref}`);
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((at: Json | undefined, part: string) => at?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc) as Json;
    if (current === undefined) throw new Error(`dangling $ref ${node.$ref}`);
  }
  return current;
}

/** Documentation-only keywords, which the generated schemas do not have. */
const DOC_KEYWORDS = new Set(['description', 'title', 'examples', 'example', '$schema', '$id']);

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    if (DOC_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    out[key] = key === 'required' && Array.isArray(inner) ? [...inner].sort() : normalize(inner);
  }
  return out;
}

/** One object schema from an `allOf` of object schemas (what the generated schemas look like). */
function flatten(schema: Json): Json {
  const node = deref(schema);
  if (!Array.isArray(node.allOf)) {
    if (!node.properties) return node;
    const properties: Json = {};
    for (const [name, property] of Object.entries(node.properties as Json)) properties[name] = flatten(property as Json);
    return { ...node, properties };
  }
  const merged: Json = { type: 'object', properties: {}, required: [] };
  for (const part of node.allOf.map((p: Json) => flatten(p))) {
    for (const [name, property] of Object.entries((part.properties ?? {}) as Json)) {
      merged.properties[name] = { ...(merged.properties[name] ?? {}), ...(property as Json) };
    }
    merged.required = [...new Set([...merged.required, ...(part.required ?? [])])];
    if (part.additionalProperties !== undefined) merged.additionalProperties = part.additionalProperties;
  }
  if (merged.required.length === 0) delete merged.required;
  return merged;
}

const channelMessageNames = (role: TopicRole) => Object.keys(doc.channels[role].messages as Json);
const messageOf = (role: TopicRole, name: string) => deref(doc.channels[role].messages[name]);

/**
 * Validators for the document's schemas. Event payload schemas are open in the document (readers
 * must tolerate new optional fields); here they are closed, so a field the code writes but the
 * document does not declare fails the test.
 */
function schemaValidators(): (schemaRef: string) => ValidateFunction {
  const schemas = structuredClone(doc.components.schemas) as Json;
  for (const type of EVENT_TYPES) {
    const specific = schemas[`${type}Event`].allOf[1];
    specific.properties.payload = { ...specific.properties.payload, additionalProperties: false };
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: SCHEMA_ROOT, components: { schemas } });
  return (schemaRef: string) => {
    const validate = ajv.getSchema(`${SCHEMA_ROOT}${schemaRef.startsWith('#') ? schemaRef : `#/components/schemas/${schemaRef}`}`);
    if (!validate) throw new Error(`no schema ${schemaRef}`);
    return validate;
  };
}

function expectValid(validate: ValidateFunction, value: unknown, what: string) {
  const valid = validate(value);
  if (!valid)
    throw new Error(`${what} does not match asyncapi.yaml: ${JSON.stringify(validate.errors, null, 1)}\n${JSON.stringify(value)}`);
}

describe('asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3.0 document: no errors and no warnings from @asyncapi/parser', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    const problems = diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
      .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
    expect(
      document!
        .channels()
        .all()
        .map((channel) => channel.address())
        .sort(),
    ).toEqual(Object.values(DEFAULT_TOPICS).sort());
    const commandMessages = document!.channels().get('commands')!.messages().all();
    expect(commandMessages.map((message) => message.name()).sort()).toEqual([...COMMAND_TYPES].sort());
  });

  it('has the five topics of asyncapi.yaml, channels at their default addresses, with their retention, keyed by tenant id', () => {
    expect(Object.keys(doc.channels).sort()).toEqual(Object.keys(DEFAULT_TOPICS).sort());
    for (const role of Object.keys(DEFAULT_TOPICS) as TopicRole[]) {
      const channel = doc.channels[role];
      expect(channel.address).toBe(DEFAULT_TOPICS[role]);
      expect(channel.bindings.kafka).toMatchObject({
        topic: DEFAULT_TOPICS[role],
        partitions: 12,
        topicConfiguration: { 'retention.ms': TOPIC_RETENTION_MS[role] },
      });
    }
    expect(doc.info.description).toContain('KAFKA_TOPIC_PREFIX');
    for (const trait of ['command', 'event']) {
      expect(deref(doc.components.messageTraits[trait].bindings.kafka.key)).toMatchObject({ type: 'string', pattern: expect.any(String) });
    }
  });

  it('sends commands and receives results, events, check events and dead letters', () => {
    const expected: Record<string, { action: string; channel: TopicRole }> = {
      sendCommand: { action: 'send', channel: 'commands' },
      receiveCommandResult: { action: 'receive', channel: 'commandResults' },
      receiveEvent: { action: 'receive', channel: 'events' },
      receiveCheckEvent: { action: 'receive', channel: 'checkEvents' },
      receiveDeadLetter: { action: 'receive', channel: 'commandsDlq' },
    };
    expect(Object.keys(doc.operations).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, { action, channel }] of Object.entries(expected)) {
      const operation = doc.operations[name];
      expect(operation.action).toBe(action);
      expect(operation.channel.$ref).toBe(`#/channels/${channel}`);
      expect(operation.messages.map((m: Json) => m.$ref).sort()).toEqual(
        channelMessageNames(channel)
          .map((message) => `#/channels/${channel}/messages/${message}`)
          .sort(),
      );
    }
  });

  describe('commands', () => {
    it('has a message on the commands channel for every command type, and no other', () => {
      expect(channelMessageNames('commands').sort()).toEqual([...COMMAND_TYPES].sort());
    });

    it.each([...COMMAND_TYPES])('%s: the payload schema equals the one generated from its DTO', (type) => {
      expect(normalize(doc.components.schemas[`${type}Payload`])).toEqual(normalize(commandPayloadJsonSchema(type)));
    });

    it.each([...COMMAND_TYPES])('%s: the whole message schema (envelope + payload) equals the generated one', (type) => {
      const message = messageOf('commands', type);
      expect(message.name).toBe(type);
      expect(normalize(flatten(message.payload))).toEqual(normalize(commandMessageJsonSchema(type)));
    });
  });

  describe('events', () => {
    it('has every event type on the topic the processor writes it to, and no other', () => {
      const onTopics = [...channelMessageNames('events'), ...channelMessageNames('checkEvents')];
      expect([...onTopics].sort()).toEqual([...EVENT_TYPES].sort());
      for (const type of EVENT_TYPES) expect(channelMessageNames(eventTopicRole(type)).includes(type)).toBe(true);
    });

    it.each([...EVENT_TYPES])('%s: the message fixes its type and aggregate type', (type) => {
      const role = eventTopicRole(type);
      const message = messageOf(role, type);
      expect(message.name).toBe(type);
      const schema = flatten(message.payload);
      expect(schema.properties.type.const).toBe(type);
      expect(schema.properties.aggregateType.const).toBe(AGGREGATE_TYPE_OF_EVENT[type]);
      expect(schema.required).toEqual(expect.arrayContaining(['eventId', 'type', 'tenantId', 'aggregateId', 'version', 'payload']));
    });
  });

  it('lists the same enumerations as the code', () => {
    const schemas = doc.components.schemas;
    expect(schemas.ErrorCode.enum).toEqual([...ERROR_CODES]);
    expect(schemas.Plan.enum).toEqual([...PLANS]);
    expect(schemas.UserRole.enum).toEqual([...USER_ROLES]);
    expect(schemas.CheckStatus.enum).toEqual([...CHECK_STATUSES]);
    expect([...schemas.EventEnvelope.properties.aggregateType.enum].sort()).toEqual(
      [...new Set(Object.values(AGGREGATE_TYPE_OF_EVENT))].sort(),
    );
  });

  describe('accepts what the code really produces', () => {
    const validator = schemaValidators();

    /** Every command type, and every optional event field, through the real parser and deciders. */
    function script(tenantId: string): { type: CommandType; payload: Json; issuedBy?: string }[] {
      const userId = randomUUID();
      const apiKeyId = randomUUID();
      const monitorId = randomUUID();
      const windowId = randomUUID();
      const check = (status: string, extra: Json = {}) => ({
        type: 'RecordCheckResult' as const,
        payload: { monitorId, checkId: randomUUID(), status, checkedAt: '2025-01-15T11:59:00Z', ...extra },
      });
      return [
        { type: 'CreateTenant', payload: { name: 'Acme', slug: `acme-${tenantId.slice(0, 8)}`, plan: 'pro' }, issuedBy: 'spec' },
        { type: 'RenameTenant', payload: { name: 'Acme Two' } },
        { type: 'ChangeTenantPlan', payload: { plan: 'enterprise' } },
        {
          type: 'RegisterUser',
          payload: {
            userId,
            email: 'ada@example.com',
            passwordHash: '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
            role: 'admin',
          },
        },
        { type: 'ChangeUserRole', payload: { userId, role: 'owner' } },
        { type: 'DeactivateUser', payload: { userId } },
        { type: 'ReactivateUser', payload: { userId } },
        { type: 'RecordUserLogin', payload: { userId, at: '2025-01-15T11:58:00Z' } },
        { type: 'RemoveUser', payload: { userId } },
        { type: 'EraseUser', payload: { userId } },
        { type: 'IssueApiKey', payload: { apiKeyId, name: 'deploy', tokenSha256: 'ab'.repeat(32), expiresAt: '2026-01-01T00:00:00Z' } },
        { type: 'RevokeApiKey', payload: { apiKeyId } },
        { type: 'CreateMonitor', payload: { monitorId, name: 'Home', url: 'https://example.com/', checkInterval: 30 } },
        { type: 'UpdateMonitor', payload: { monitorId, name: 'Home page' } },
        { type: 'UpdateMonitor', payload: { monitorId, url: 'http://internal-host:8080/health', checkInterval: 60 } },
        check('up', { responseTimeMs: 12.4, statusCode: 200, region: 'eu-west-1' }),
        check('error', { errorMessage: 'connect ECONNREFUSED' }),
        {
          type: 'ScheduleMaintenance',
          payload: {
            maintenanceWindowId: windowId,
            monitorId,
            title: 'Upgrade',
            startsAt: '2025-01-15T11:58:00Z',
            endsAt: '2025-01-15T13:00:00Z',
          },
        },
        check('down', { responseTimeMs: 40 }),
        {
          type: 'ScheduleMaintenance',
          payload: {
            maintenanceWindowId: randomUUID(),
            startsAt: '2025-01-15T12:00:00Z',
            recurrence: { daysOfWeek: ['sun', 'sat'], startTime: '02:00', durationMinutes: 90, timezone: 'Europe/Paris' },
          },
        },
        { type: 'CancelMaintenance', payload: { maintenanceWindowId: windowId } },
        check('down'),
        { type: 'PauseMonitor', payload: { monitorId } },
        { type: 'ResumeMonitor', payload: { monitorId } },
        { type: 'DeleteMonitor', payload: { monitorId } },
        { type: 'DeactivateTenant', payload: { reason: 'unpaid' } },
        { type: 'ReactivateTenant', payload: {} },
        { type: 'DeleteTenant', payload: {} },
      ];
    }

    it('commands, their events and their results, field for field', () => {
      const tenantId = randomUUID();
      let state: TenantWriteState = initialTenantWriteState();
      const events: EventEnvelope[] = [];
      for (const step of script(tenantId)) {
        const envelope = {
          commandId: randomUUID(),
          type: step.type,
          tenantId,
          payload: step.payload,
          ...(step.issuedBy && { issuedBy: step.issuedBy }),
        };
        expectValid(validator(deref(doc.components.messages[step.type]).payload.$ref), envelope, `${step.type} command`);
        const parsed = parseCommandMessage({ key: tenantId, value: Buffer.from(JSON.stringify(envelope)), now: NOW });
        if (parsed.kind !== 'command') throw new Error(`${step.type} not accepted by the parser: ${JSON.stringify(parsed)}`);
        const decision = decide(parsed.command, state, ports);
        if (!decision.ok) throw new Error(`${step.type} rejected by the domain: ${JSON.stringify(decision.error)}`);
        for (const decided of decision.events) {
          // As the processor writes it: personal fields sealed.
          const event = sealPersonalFields(
            toEventEnvelope(decided, {
              eventId: randomUUID(),
              occurredAt: NOW,
              tenantId,
              commandId: envelope.commandId,
              correlationId: envelope.commandId,
              issuedBy: parsed.command.metadata.issuedBy,
            }),
            newAesKey(),
            newIv(),
          );
          expectValid(validator(`${decided.type}Event`), event, `${decided.type} event`);
          expectValid(
            validator('EventHeaders'),
            eventHeaders(event, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
            'event headers',
          );
          events.push(event);
          state = evolveTenantWriteState(state, decided);
        }
        const result = acceptedResult({
          commandId: envelope.commandId,
          correlationId: envelope.commandId,
          tenantId,
          type: step.type,
          aggregateId: decision.aggregateId,
          version: decision.version,
          position: 'djEucDA',
          processedAt: NOW,
        });
        expectValid(validator('CommandResult'), result, 'accepted result');
      }

      // Every event type was produced, and every payload field the document declares really occurs.
      expect([...new Set(events.map((e) => e.type))].sort()).toEqual([...EVENT_TYPES].sort());
      for (const type of EVENT_TYPES) {
        const declared = Object.keys(doc.components.schemas[`${type}Event`].allOf[1].properties.payload.properties ?? {}).sort();
        const written = [...new Set(events.filter((e) => e.type === type).flatMap((e) => Object.keys(e.payload)))].sort();
        expect({ type, fields: declared }).toEqual({ type, fields: written });
      }
    });

    it('rejected results, including those that name no tenant or type', () => {
      const noEnvelope = parseCommandMessage({ key: null, value: Buffer.from('{"commandId":"not-a-uuid"}'), now: NOW });
      const invalid = parseCommandMessage({
        key: randomUUID(),
        value: Buffer.from(
          JSON.stringify({ commandId: randomUUID(), type: 'CreateMonitor', tenantId: randomUUID(), payload: { url: 'ftp://x' } }),
        ),
        now: NOW,
      });
      for (const parsed of [noEnvelope, invalid]) {
        if (parsed.kind !== 'rejected') throw new Error(`expected a rejection, got ${parsed.kind}`);
        expectValid(validator('CommandResult'), rejectedResult({ ...parsed, processedAt: NOW }), 'rejected result');
        expectValid(validator('CommandResult'), rejectedResult({ ...parsed, processedAt: NOW, duplicate: true }), 'duplicate result');
      }
      expect(
        validator('CommandResult')({
          ...rejectedResult({ ...(invalid as any), processedAt: NOW }),
          error: { code: 'NOPE', message: 'x', details: [] },
        }),
      ).toBe(false);
    });

    it('dead letters, with binary keys and repeated headers', () => {
      const letter = toDeadLetter({
        key: Buffer.from([0xff, 0xfe]),
        value: Buffer.from('not json'),
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tag: [Buffer.from('a'), Buffer.from([0xc3])] },
        sourceTopic: DEFAULT_TOPICS.commands,
        partition: 2,
        offset: '9007199254740993',
        reason: 'the value is not JSON',
        failedAt: NOW,
      });
      expectValid(validator('DeadLetter'), letter, 'dead letter');
      expectValid(
        validator('DeadLetter'),
        toDeadLetter({ key: null, value: null, sourceTopic: 'x', partition: 0, offset: '0', reason: 'tombstone', failedAt: NOW }),
        'tombstone dead letter',
      );
    });

    it('refuses what the processor would refuse: an unknown payload field, an undeclared event field', () => {
      const tenantId = randomUUID();
      const command = {
        commandId: randomUUID(),
        type: 'CreateMonitor',
        tenantId,
        payload: { monitorId: randomUUID(), name: 'x', url: 'https://x.io/', checkinterval: 60 },
      };
      expect(validator('CreateMonitorCommand')(command)).toBe(false);
      expect(validator('CreateMonitorCommand')({ ...command, type: 'DeleteMonitor' })).toBe(false);
      const event = {
        eventId: randomUUID(),
        type: 'MonitorPaused',
        schemaVersion: 1,
        tenantId,
        aggregateType: 'monitor',
        aggregateId: randomUUID(),
        version: 2,
        occurredAt: NOW.toISOString(),
        commandId: randomUUID(),
        correlationId: randomUUID(),
        payload: { monitorId: randomUUID() },
      };
      expect(validator('MonitorPausedEvent')(event)).toBe(true);
      expect(validator('MonitorPausedEvent')({ ...event, payload: { ...event.payload, surprise: 1 } })).toBe(false);
    });

    it('lists every version of every event payload, each pinned to its version', () => {
      for (const type of EVENT_TYPES) {
        const current = EVENT_VERSIONING.currentVersion(type);
        expect({ type, version: doc.components.schemas[`${type}Event`].allOf[1].properties.schemaVersion }).toEqual({
          type,
          version: { const: current },
        });
        for (let version = 1; version < current; version += 1) {
          expect({ type, version: doc.components.schemas[`${type}EventV${version}`]?.allOf[1].properties.schemaVersion }).toEqual({
            type,
            version: { const: version },
          });
        }
      }
      // The committed log of v1 events, as the code before CheckRecorded v2 wrote them.
      const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'event-log-v1.ndjson'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { value: Json }).value);
      for (const event of fixture.filter((e) => e.type === 'CheckRecorded')) {
        expectValid(validator('CheckRecordedEventV1'), event, 'v1 CheckRecorded');
        expect(validator('CheckRecordedEvent')(event)).toBe(false);
      }
      for (const event of fixture.filter((e) => e.type === 'UserRegistered')) {
        expectValid(validator('UserRegisteredEventV1'), event, 'v1 UserRegistered');
        expect(validator('UserRegisteredEvent')(event)).toBe(false);
      }
    });

    it('every example in the document is valid, and example commands are accepted by the parser', () => {
      let examples = 0;
      for (const [name, message] of Object.entries(doc.components.messages as Json)) {
        for (const example of (message.examples ?? []) as Json[]) {
          examples += 1;
          expectValid(validator(message.payload.$ref), example.payload, `example ${example.name} of ${name}`);
          if (example.headers)
            expectValid(
              validator(deref(message.traits?.[0] ?? {}).headers?.$ref ?? 'EventHeaders'),
              example.headers,
              `headers of ${example.name}`,
            );
          if ((COMMAND_TYPES as readonly string[]).includes(name)) {
            const parsed = parseCommandMessage({
              key: example.payload.tenantId,
              value: Buffer.from(JSON.stringify(example.payload)),
              now: NOW,
            });
            expect(parsed.kind).toBe('command');
          }
        }
      }
      expect(examples).toBeGreaterThanOrEqual(8);
    });
  });
});
