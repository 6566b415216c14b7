import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { COMMAND_TYPES } from '@vinsight/domain';
import { BCRYPT_HASH } from '../commands/commands';

/**
 * Generated command messages for the fuzz suite. fast-check draws the shape of every message
 * from a fixed seed (which command, which field is broken and how); ids are filled in when a
 * message is materialised, so that each run's commands, monitors and slugs are new to the shared
 * test database and broker. Values are assembled as JSON text so that what JSON.stringify cannot
 * write (1e999, -0, lone surrogates, duplicate and prototype keys, 10,000 levels) is sent as is.
 */

/** A message as the broker receives it. `index` travels in a header, so a dead letter names it. */
export interface FuzzMessage {
  readonly index: number;
  readonly kind: string;
  readonly key: string | null;
  readonly value: Buffer | null;
}

/** Text of one JSON value. */
type Json = string;
type Builder = (context: Context) => { key: string | null; value: Buffer | null };

interface Context {
  readonly index: number;
  readonly tenants: readonly string[];
  /** Monitors of each tenant created by earlier valid messages of the run. */
  readonly monitors: Map<string, string[]>;
  readonly now: Date;
}

const json = (value: unknown): Json => JSON.stringify(value);
const object = (entries: readonly (readonly [string, Json])[]): Json => `{${entries.map(([k, v]) => `${json(k)}:${v}`).join(',')}}`;

const NUMBER_EDGES: Json[] = [
  '0',
  '-0',
  '1',
  '-1',
  '9',
  '10',
  '11',
  '29',
  '30',
  '59',
  '60',
  '99',
  '100',
  '599',
  '600',
  '86400',
  '86401',
  '600000',
  '600001',
  '2147483647',
  '2147483648',
  '-2147483649',
  '9007199254740991',
  '9007199254740993',
  '1e308',
  '-1e308',
  '1e999',
  '-1e999',
  '5e-324',
  '0.5',
  '60.0',
  '1E2',
  '-0.0',
  '123456789012345678901234567890',
  '0.1e1',
];
const WRONG_TYPES: Json[] = ['null', 'true', 'false', '[]', '{}', '""', '"   "', '"x"', '[1,2]', '{"a":1}', '[null]', '"0"', '"60"'];
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const control = fc
  .integer({ min: 0, max: 0x9f })
  .filter((c) => c < 0x20 || c >= 0x7f)
  .map((c) => String.fromCharCode(c));
const bidi = fc.constantFrom('\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069');
/** Text that may or may not be acceptable: plain, accented (precomposed or not), emoji, RTL, marks. */
const niceText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.constantFrom(
    'Caf\u00e9',
    'Cafe\u0301',
    '\u{1F600} status',
    '\u05e9\u05dc\u05d5\u05dd \u200f(1)',
    '\u00c5ngstr\u00f6m',
    'x\u0301\u0302',
    '\u0645\u0631\u062d\u0628\u0627',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
);
const hostileText = fc.oneof(
  fc.tuple(niceText, fc.constantFrom('\u0000'), niceText).map((parts) => parts.join('')),
  fc.tuple(niceText, loneSurrogate, niceText).map((parts) => parts.join('')),
  fc.tuple(niceText, control, niceText).map((parts) => parts.join('')),
  fc.tuple(niceText, bidi, niceText).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    'a'.repeat(255),
    'a'.repeat(256),
    '\u{1F600}'.repeat(255),
    '\u{1F600}'.repeat(256),
    'e\u0301'.repeat(255),
    ' '.repeat(10),
  ),
);
const deepNesting = fc
  .tuple(fc.constantFrom(15, 16, 17, 100, 3000, 10_000), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]): Json => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);
const hugeArray = fc.constantFrom(1_000, 9_990, 10_001, 40_000).map((length): Json => `[${new Array(length).fill('0').join(',')}]`);
const prototypeValue = fc
  .tuple(fc.constantFrom(...FORBIDDEN_KEYS), fc.constantFrom('{"polluted":true}', '{"prototype":{"polluted":true}}', '[]', '1', 'null'))
  .map(([key, value]): Json => `{${json(key)}:${value}}`);

/** A value meant to break a field: every kind the issue lists. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: hostileText.map(json), weight: 6 },
  { arbitrary: fc.constantFrom(...NUMBER_EDGES), weight: 4 },
  { arbitrary: fc.constantFrom(...WRONG_TYPES), weight: 4 },
  { arbitrary: deepNesting, weight: 2 },
  { arbitrary: prototypeValue, weight: 2 },
  { arbitrary: hugeArray, weight: 1 },
);

/** Valid payload fields of each type, as JSON text; `monitorId` is one the tenant has when it has any. */
function validPayload(type: string, context: Context, tenantId: string, text: string): [string, Json][] {
  const known = context.monitors.get(tenantId) ?? [];
  const monitorId = known.length > 0 ? known[context.index % known.length] : randomUUID();
  const checkedAt = new Date(context.now.getTime() - 1000).toISOString();
  switch (type) {
    case 'CreateTenant':
      return [
        ['name', json(text)],
        ['slug', json(`fz-${randomUUID().slice(0, 13)}`)],
        ['plan', '"enterprise"'],
      ];
    case 'RenameTenant':
      return [['name', json(text)]];
    case 'ChangeTenantPlan':
      return [['plan', '"enterprise"']];
    case 'DeactivateTenant':
      return [['reason', json(text)]];
    case 'RegisterUser':
      return [
        ['userId', json(randomUUID())],
        ['email', json(`u${context.index}@example.com`)],
        ['passwordHash', json(BCRYPT_HASH)],
        ['role', '"user"'],
      ];
    case 'ChangeUserRole':
      return [
        ['userId', json(randomUUID())],
        ['role', '"admin"'],
      ];
    case 'DeactivateUser':
    case 'ReactivateUser':
    case 'RemoveUser':
    case 'EraseUser':
      return [['userId', json(randomUUID())]];
    case 'RecordUserLogin':
      return [
        ['userId', json(randomUUID())],
        ['at', json(checkedAt)],
      ];
    case 'IssueApiKey':
      // Unique: the processor checks a token hash only within its tenant, the read model's unique index across all tenants.
      return [
        ['apiKeyId', json(randomUUID())],
        ['name', json(text)],
        ['tokenSha256', json(createHash('sha256').update(randomUUID()).digest('hex'))],
      ];
    case 'RevokeApiKey':
      return [['apiKeyId', json(randomUUID())]];
    case 'CreateMonitor':
      return [
        ['monitorId', json(randomUUID())],
        ['name', json(text)],
        ['url', '"https://example.com/health"'],
        ['checkInterval', '60'],
      ];
    case 'UpdateMonitor':
      return [
        ['monitorId', json(monitorId)],
        ['name', json(text)],
      ];
    case 'PauseMonitor':
    case 'ResumeMonitor':
    case 'DeleteMonitor':
      return [['monitorId', json(monitorId)]];
    case 'RecordCheckResult':
      return [
        ['monitorId', json(monitorId)],
        ['checkId', json(randomUUID())],
        ['status', '"down"'],
        ['responseTimeMs', '120.5'],
        ['statusCode', '503'],
        ['errorMessage', json(`${text}\r\n\tat line 1`)],
        ['checkedAt', json(checkedAt)],
        ['region', '"eu-west-1"'],
      ];
    default:
      return [];
  }
}

/** Types whose acceptance would take the tenant or its monitors away from the read-backs. */
const DESTRUCTIVE = new Set(['DeactivateTenant', 'DeleteTenant', 'DeleteMonitor', 'ChangeTenantPlan']);
const SAFE_VALID_TYPES = [
  'CreateMonitor',
  'CreateMonitor',
  'UpdateMonitor',
  'PauseMonitor',
  'ResumeMonitor',
  'RecordCheckResult',
  'RenameTenant',
] as const;

type Mutation =
  | { kind: 'replace' | 'add'; slot: number; value: Json }
  | { kind: 'remove'; slot: number }
  | { kind: 'forbidden'; key: string; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), slot: fc.nat(), value: hostileValue }), weight: 8 },
  { arbitrary: fc.record({ kind: fc.constant('add' as const), slot: fc.nat(), value: hostileValue }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), slot: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('forbidden' as const),
      key: fc.constantFrom(...FORBIDDEN_KEYS),
      value: fc.constantFrom('{"polluted":true}', '{"prototype":{"x":1}}', '[]'),
    }),
    weight: 1,
  },
);

function mutate(fields: [string, Json][], mutations: readonly Mutation[], destructive: boolean): [string, Json][] {
  const result = [...fields];
  for (const m of mutations) {
    if (m.kind === 'forbidden') result.push([m.key, m.value]);
    else if (m.kind === 'add') result.push([`extra${m.slot % 3}`, m.value]);
    else if (result.length === 0) continue;
    else if (m.kind === 'remove') result.splice(m.slot % result.length, 1);
    else result[m.slot % result.length] = [result[m.slot % result.length][0], m.value];
  }
  // Refused for sure: a hostile value could happen to be valid, and these must never be accepted.
  if (destructive) result.push(['__proto__', '{"polluted":true}']);
  return result;
}

const envelope = (entries: [string, Json][]) => Buffer.from(object(entries));

/** A valid command of a safe type: most are accepted (the rest meet a business rule). */
const validCommand: fc.Arbitrary<Builder> = fc
  .record({ type: fc.constantFrom(...SAFE_VALID_TYPES), tenant: fc.nat(), name: niceText })
  .map(({ type, tenant, name }) => (context) => {
    const tenantId = context.tenants[tenant % context.tenants.length];
    const fields = validPayload(type, context, tenantId, name.trim() === '' ? 'Monitor' : name);
    if (type === 'CreateMonitor') {
      const monitorId = JSON.parse(fields[0][1]) as string;
      context.monitors.set(tenantId, [...(context.monitors.get(tenantId) ?? []), monitorId]);
    }
    return {
      key: tenantId,
      value: envelope([
        ['commandId', json(randomUUID())],
        ['type', json(type)],
        ['tenantId', json(tenantId)],
        ['payload', object(fields)],
      ]),
    };
  });

/** A valid envelope whose payload has one to three broken fields. */
const hostilePayload: fc.Arbitrary<Builder> = fc
  .record({
    type: fc.constantFrom(...COMMAND_TYPES),
    tenant: fc.nat(),
    name: niceText,
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  })
  .map(({ type, tenant, name, mutations }) => (context) => {
    const tenantId = type === 'CreateTenant' ? randomUUID() : context.tenants[tenant % context.tenants.length];
    const fields = mutate(validPayload(type, context, tenantId, name), mutations, DESTRUCTIVE.has(type));
    return {
      key: tenantId,
      value: envelope([
        ['commandId', json(randomUUID())],
        ['type', json(type)],
        ['tenantId', json(tenantId)],
        ['payload', object(fields)],
      ]),
    };
  });

type EnvelopeBreak = { field: string; value: Json };
/** A valid RenameTenant whose envelope is broken: ids, type, key, optional fields, payload's type. */
const hostileEnvelope: fc.Arbitrary<Builder> = fc
  .record({
    tenant: fc.nat(),
    breaks: fc.array(
      fc.oneof(
        fc.record({
          field: fc.constantFrom('commandId', 'type', 'tenantId', 'expectedVersion', 'correlationId', 'issuedBy', 'issuedAt', 'payload'),
          value: hostileValue,
        }),
        fc.record({
          field: fc.constant('type'),
          value: fc.constantFrom('"__proto__"', '"constructor"', '"toString"', '"hasOwnProperty"', '"DropAllTables"', '""'),
        }),
        fc.record({ field: fc.constantFrom(...FORBIDDEN_KEYS), value: fc.constantFrom('{"tenantId":"x"}', '{"prototype":{}}') }),
      ) as fc.Arbitrary<EnvelopeBreak>,
      { minLength: 1, maxLength: 2 },
    ),
    key: fc.constantFrom('tenant', 'tenant', 'tenant', 'other', 'none', 'upper'),
  })
  .map(({ tenant, breaks, key }) => (context) => {
    const tenantId = context.tenants[tenant % context.tenants.length];
    const entries: [string, Json][] = [
      ['commandId', json(randomUUID())],
      ['type', '"RenameTenant"'],
      ['tenantId', json(tenantId)],
      ['payload', '{"name":"Renamed by fuzz"}'],
    ];
    for (const b of breaks) {
      const at = entries.findIndex(([name]) => name === b.field);
      if (b.field === 'commandId') {
        // A commandId string that is not a UUID still gets a result: keep it unique to match it.
        const unique = b.value.startsWith('"') ? json(`${JSON.parse(b.value) as string}#${randomUUID()}`) : b.value;
        entries[at] = ['commandId', unique];
      } else if (at >= 0) entries[at] = [b.field, b.value];
      else entries.push([b.field, b.value]);
    }
    const messageKey =
      key === 'tenant'
        ? tenantId
        : key === 'other'
          ? context.tenants[(tenant + 1) % context.tenants.length]
          : key === 'upper'
            ? tenantId.toUpperCase()
            : null;
    return { key: messageKey, value: envelope(entries) };
  });

/** Not an envelope at all: to the dead-letter topic. */
const malformed: fc.Arbitrary<Builder> = fc
  .oneof(
    fc.constantFrom<Buffer | null>(
      null,
      Buffer.from('not json'),
      Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
      Buffer.from('[]'),
      Buffer.from('42'),
      Buffer.from('"text"'),
      Buffer.from('{"commandId":"   "}'),
      Buffer.from('{"commandId":7}'),
      Buffer.from('{}'),
    ),
    fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text)),
    deepNesting.map((text) => Buffer.from(text)),
  )
  .map((value) => (context) => ({ key: context.tenants[context.index % context.tenants.length], value }));

/** An envelope over the 256 KiB limit: refused with a result, not read. */
const oversize: fc.Arbitrary<Builder> = fc.constantFrom(256 * 1024 + 1, 300 * 1024).map((bytes) => (context) => {
  const tenantId = context.tenants[context.index % context.tenants.length];
  const head = envelope([
    ['commandId', json(randomUUID())],
    ['type', '"RenameTenant"'],
    ['tenantId', json(tenantId)],
    ['payload', '{"name":"x"}'],
  ]).toString();
  return { key: tenantId, value: Buffer.from(`${head.slice(0, -1)},"padding":${json('p'.repeat(bytes))}}`) };
});

export const fuzzMessage: fc.Arbitrary<{ kind: string; build: Builder }> = fc.oneof(
  { arbitrary: validCommand.map((build) => ({ kind: 'valid', build })), weight: 30 },
  { arbitrary: hostilePayload.map((build) => ({ kind: 'payload', build })), weight: 50 },
  { arbitrary: hostileEnvelope.map((build) => ({ kind: 'envelope', build })), weight: 14 },
  { arbitrary: malformed.map((build) => ({ kind: 'malformed', build })), weight: 5 },
  { arbitrary: oversize.map((build) => ({ kind: 'oversize', build })), weight: 1 },
);

/** `count` messages drawn from `seed`, materialised for the run's tenants. */
export function fuzzMessages(seed: number, count: number, tenants: readonly string[], now: Date): FuzzMessage[] {
  const monitors = new Map<string, string[]>();
  return fc.sample(fuzzMessage, { seed, numRuns: count }).map(({ kind, build }, index) => {
    return { index, kind, ...build({ index, tenants, monitors, now }) };
  });
}

/** What the processor must answer, read as the contract says: a result when there is a commandId string to address, else a dead letter. */
export function expectedAnswer(value: Buffer | null): { result: string } | { deadLetter: true } {
  if (value === null) return { deadLetter: true };
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const commandId = (parsed as Record<string, unknown>).commandId;
      if (typeof commandId === 'string' && commandId.trim() !== '') return { result: commandId };
    }
  } catch {
    // not UTF-8 or not JSON
  }
  return { deadLetter: true };
}
