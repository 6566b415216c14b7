import { randomUUID } from 'node:crypto';
import type { CommandType } from '@vinsight/domain';
import { COMMAND_TYPES } from '@vinsight/domain';
import { BCRYPT_HASH, NOW, commandMessage, validPayload } from '../testing/command-messages';
import type { ParsedCommandMessage } from './parse-command-message';
import { COMMAND_LIMITS } from './json-structure';
import { commandAddress, MAX_COMMAND_BYTES, parseCommandMessage } from './parse-command-message';

type Rejected = Extract<ParsedCommandMessage, { kind: 'rejected' }>;
type Accepted = Extract<ParsedCommandMessage, { kind: 'command' }>;

function parse(type: string, payload: Record<string, unknown>, envelope: Record<string, unknown> = {}) {
  const message = commandMessage(type, payload, envelope);
  return parseCommandMessage({ key: message.key, value: message.value, now: NOW });
}

function expectCommand(result: ParsedCommandMessage): Accepted['command'] {
  if (result.kind !== 'command') throw new Error(`expected a command, got ${JSON.stringify(result)}`);
  return result.command;
}

function expectRejected(result: ParsedCommandMessage, code: string, field?: string): Rejected {
  if (result.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(result)}`);
  expect(result.error.code).toBe(code);
  if (field !== undefined) expect(result.error.details.map((detail) => detail.field)).toContain(field);
  return result;
}

const withPayload = (type: CommandType, overrides: Record<string, unknown>) => {
  const payload: Record<string, unknown> = { ...validPayload(type), ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete payload[key];
  return parse(type, payload);
};

const RECURRENCE = { daysOfWeek: ['mon', 'thu'], startTime: '02:00', durationMinutes: 60, timezone: 'Europe/Paris' };

describe('parseCommandMessage', () => {
  describe('valid commands', () => {
    it.each(COMMAND_TYPES)('reads a valid %s', (type) => {
      const payload = validPayload(type);
      const { envelope, key, value } = commandMessage(type, payload);
      const command = expectCommand(parseCommandMessage({ key, value, now: NOW }));
      expect(command.type).toBe(type);
      expect(command.metadata).toEqual({
        commandId: envelope.commandId,
        tenantId: envelope.tenantId,
        correlationId: envelope.commandId,
        now: NOW,
      });
    });

    it('maps payloads to the domain data, times as Dates', () => {
      const check = validPayload('RecordCheckResult');
      expect(expectCommand(parse('RecordCheckResult', check)).data).toEqual({
        ...check,
        checkedAt: new Date('2025-01-15T11:59:30Z'),
      });
      const login = validPayload('RecordUserLogin');
      expect(expectCommand(parse('RecordUserLogin', login)).data).toEqual({ ...login, at: new Date('2025-01-15T11:59:00Z') });
      const key = validPayload('IssueApiKey');
      expect(expectCommand(parse('IssueApiKey', key)).data).toEqual({ ...key, expiresAt: new Date('2026-01-01T00:00:00Z') });
    });

    it('carries the optional envelope fields into the metadata', () => {
      const correlationId = randomUUID();
      const command = expectCommand(
        parse(
          'RenameTenant',
          { name: 'x' },
          {
            correlationId,
            issuedBy: '  billing-service ',
            issuedAt: '2025-01-15T11:00:00+01:00',
            expectedVersion: 4,
          },
        ),
      );
      expect(command.metadata).toMatchObject({
        correlationId,
        issuedBy: 'billing-service',
        issuedAt: new Date('2025-01-15T10:00:00Z'),
        expectedVersion: 4,
        now: NOW,
      });
    });

    it('reads null optional envelope fields as absent', () => {
      const command = expectCommand(
        parse('RenameTenant', { name: 'x' }, { correlationId: null, issuedBy: null, issuedAt: null, expectedVersion: null }),
      );
      expect(Object.keys(command.metadata).sort()).toEqual(['commandId', 'correlationId', 'now', 'tenantId']);
    });

    it('applies the defaults: plan free, role user, checkInterval 300, also for null', () => {
      expect(expectCommand(parse('CreateTenant', { name: 'A', slug: 'abc' })).data).toEqual({ name: 'A', slug: 'abc', plan: 'free' });
      expect(expectCommand(parse('CreateTenant', { name: 'A', slug: 'abc', plan: null })).data).toMatchObject({ plan: 'free' });
      const user = withPayload('RegisterUser', { role: undefined });
      expect(expectCommand(user).data).toMatchObject({ role: 'user' });
      const monitor = withPayload('CreateMonitor', { checkInterval: undefined });
      expect(expectCommand(monitor).data).toMatchObject({ checkInterval: 300 });
      expect(expectCommand(withPayload('CreateMonitor', { checkInterval: null })).data).toMatchObject({ checkInterval: 300 });
    });

    it('trims strings and normalises entity ids to lower case', () => {
      const monitorId = randomUUID();
      const data = expectCommand(
        parse('CreateMonitor', { monitorId: ` ${monitorId.toUpperCase()} `, name: '  Homepage  ', url: ' https://example.com/ ' }),
      ).data;
      expect(data).toEqual({ monitorId, name: 'Homepage', url: 'https://example.com/', checkInterval: 300 });
    });

    it('leaves out optional payload fields that are absent or null', () => {
      const data = expectCommand(
        withPayload('RecordCheckResult', { responseTimeMs: null, statusCode: undefined, errorMessage: null, region: undefined }),
      ).data;
      expect(Object.keys(data).sort()).toEqual(['checkId', 'checkedAt', 'monitorId', 'status']);
      expect(Object.keys(expectCommand(parse('DeactivateTenant', { reason: null })).data)).toEqual([]);
      expect(Object.keys(expectCommand(withPayload('IssueApiKey', { expiresAt: null })).data)).not.toContain('expiresAt');
    });

    it('rounds fractional response times to whole milliseconds', () => {
      expect(expectCommand(withPayload('RecordCheckResult', { responseTimeMs: 12.6 })).data).toMatchObject({ responseTimeMs: 13 });
    });

    it('accepts the inclusive limits', () => {
      expectCommand(withPayload('CreateTenant', { name: 'n'.repeat(255), slug: 's'.repeat(100) }));
      expectCommand(withPayload('CreateTenant', { name: 'n', slug: 'abc' }));
      expectCommand(withPayload('DeactivateTenant', { reason: 'r'.repeat(500) }));
      expectCommand(withPayload('IssueApiKey', { name: 'k'.repeat(100) }));
      expectCommand(withPayload('CreateMonitor', { checkInterval: 10 }));
      expectCommand(withPayload('CreateMonitor', { checkInterval: 86_400 }));
      expectCommand(withPayload('CreateMonitor', { url: `https://example.com/${'p'.repeat(2048 - 20)}` }));
      expectCommand(withPayload('RecordCheckResult', { responseTimeMs: 0, statusCode: 100 }));
      expectCommand(withPayload('RecordCheckResult', { responseTimeMs: 600_000, statusCode: 599 }));
      expectCommand(withPayload('RecordCheckResult', { errorMessage: 'e'.repeat(2000), region: 'r'.repeat(50) }));
      expect(expectCommand(withPayload('RecordCheckResult', { region: ' EU-West-1 ' })).data).toMatchObject({ region: 'eu-west-1' });
      expect(expectCommand(withPayload('RecordCheckResult', { region: 'EU West_1' })).data).toMatchObject({ region: 'eu west_1' });
      expect(expectCommand(withPayload('RecordCheckResult', { region: ' ' })).data).not.toHaveProperty('region');
      expectCommand(parse('RenameTenant', { name: 'x' }, { issuedBy: 'i'.repeat(100), expectedVersion: 0 }));
    });

    it.each(['$2a$', '$2b$', '$2y$'])('accepts %s bcrypt hashes', (prefix) => {
      expectCommand(withPayload('RegisterUser', { passwordHash: prefix + BCRYPT_HASH.slice(4) }));
    });

    it('accepts internal hosts and IP addresses as monitor URLs', () => {
      expectCommand(withPayload('CreateMonitor', { url: 'http://localhost:8080/health' }));
      expectCommand(withPayload('CreateMonitor', { url: 'http://10.0.0.7/health' }));
    });

    it('ignores unknown envelope fields', () => {
      expectCommand(parse('RenameTenant', { name: 'x' }, { traceparent: '00-abc', schemaVersion: 3 }));
    });

    it('reads a missing or null payload as {}', () => {
      expectCommand(parse('ReactivateTenant', {}, { payload: undefined }));
      expectCommand(parse('DeleteTenant', {}, { payload: null }));
      expectRejected(parse('RenameTenant', {}, { payload: null }), 'VALIDATION_FAILED', 'payload.name');
    });

    it('accepts a Buffer key', () => {
      const { key, value } = commandMessage('DeleteTenant', {});
      expectCommand(parseCommandMessage({ key: Buffer.from(key ?? ''), value, now: NOW }));
    });
  });

  describe('payload field errors (VALIDATION_FAILED)', () => {
    const cases: [CommandType, Record<string, unknown>, string][] = [
      ['CreateTenant', { name: undefined }, 'payload.name'],
      ['CreateTenant', { name: '   ' }, 'payload.name'],
      ['CreateTenant', { name: 'n'.repeat(256) }, 'payload.name'],
      ['CreateTenant', { name: 42 }, 'payload.name'],
      ['CreateTenant', { slug: 'ab' }, 'payload.slug'],
      ['CreateTenant', { slug: 's'.repeat(101) }, 'payload.slug'],
      ['CreateTenant', { slug: 'Acme' }, 'payload.slug'],
      ['CreateTenant', { slug: 'acme--corp' }, 'payload.slug'],
      ['CreateTenant', { slug: '-acme' }, 'payload.slug'],
      ['CreateTenant', { plan: 'gold' }, 'payload.plan'],
      ['CreateTenant', { color: 'blue' }, 'payload.color'],
      ['RenameTenant', { name: '' }, 'payload.name'],
      ['ChangeTenantPlan', { plan: undefined }, 'payload.plan'],
      ['ChangeTenantPlan', { plan: 'FREE' }, 'payload.plan'],
      ['DeactivateTenant', { reason: 'r'.repeat(501) }, 'payload.reason'],
      ['ReactivateTenant', { force: true }, 'payload.force'],
      ['DeleteTenant', { hard: true }, 'payload.hard'],
      ['RegisterUser', { userId: 'user-1' }, 'payload.userId'],
      ['RegisterUser', { email: 'not-an-email' }, 'payload.email'],
      ['RegisterUser', { email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }, 'payload.email'],
      ['RegisterUser', { passwordHash: 'hunter2' }, 'payload.passwordHash'],
      ['RegisterUser', { passwordHash: '$2x$' + BCRYPT_HASH.slice(4) }, 'payload.passwordHash'],
      ['RegisterUser', { passwordHash: BCRYPT_HASH + 'x' }, 'payload.passwordHash'],
      ['RegisterUser', { password: 'hunter2' }, 'payload.password'],
      ['RegisterUser', { role: 'root' }, 'payload.role'],
      ['ChangeUserRole', { role: undefined }, 'payload.role'],
      ['ChangeUserRole', { userId: undefined }, 'payload.userId'],
      ['DeactivateUser', { userId: 7 }, 'payload.userId'],
      ['ReactivateUser', { userId: '' }, 'payload.userId'],
      ['RemoveUser', { userId: undefined }, 'payload.userId'],
      ['RecordUserLogin', { at: 'yesterday' }, 'payload.at'],
      ['RecordUserLogin', { at: '2025-01-15T12:00:00' }, 'payload.at'],
      ['RecordUserLogin', { at: '2025-01-15' }, 'payload.at'],
      ['RecordUserLogin', { at: '2025-02-30T12:00:00Z' }, 'payload.at'],
      ['IssueApiKey', { apiKeyId: 'key' }, 'payload.apiKeyId'],
      ['IssueApiKey', { name: '' }, 'payload.name'],
      ['IssueApiKey', { name: 'k'.repeat(101) }, 'payload.name'],
      ['IssueApiKey', { tokenSha256: 'AB'.repeat(32) }, 'payload.tokenSha256'],
      ['IssueApiKey', { tokenSha256: 'ab'.repeat(31) }, 'payload.tokenSha256'],
      ['IssueApiKey', { token: 'secret' }, 'payload.token'],
      ['IssueApiKey', { expiresAt: 'never' }, 'payload.expiresAt'],
      ['RevokeApiKey', { apiKeyId: undefined }, 'payload.apiKeyId'],
      ['CreateMonitor', { monitorId: 'm-1' }, 'payload.monitorId'],
      ['CreateMonitor', { name: '' }, 'payload.name'],
      ['CreateMonitor', { name: 'n'.repeat(256) }, 'payload.name'],
      ['CreateMonitor', { url: 'ftp://example.com/file' }, 'payload.url'],
      ['CreateMonitor', { url: '/relative/path' }, 'payload.url'],
      ['CreateMonitor', { url: 'example.com' }, 'payload.url'],
      ['CreateMonitor', { url: `https://example.com/${'p'.repeat(2048)}` }, 'payload.url'],
      ['CreateMonitor', { checkInterval: 9 }, 'payload.checkInterval'],
      ['CreateMonitor', { checkInterval: 86_401 }, 'payload.checkInterval'],
      ['CreateMonitor', { checkInterval: 60.5 }, 'payload.checkInterval'],
      ['CreateMonitor', { checkInterval: '300' }, 'payload.checkInterval'],
      ['CreateMonitor', { checkinterval: 60 }, 'payload.checkinterval'],
      ['UpdateMonitor', { url: undefined }, 'payload'],
      ['UpdateMonitor', { url: null, name: null }, 'payload'],
      ['UpdateMonitor', { checkInterval: 5 }, 'payload.checkInterval'],
      ['UpdateMonitor', { url: 'mailto:a@b.c' }, 'payload.url'],
      ['UpdateMonitor', { name: ' ' }, 'payload.name'],
      ['PauseMonitor', { monitorId: undefined }, 'payload.monitorId'],
      ['ResumeMonitor', { monitorId: 'x' }, 'payload.monitorId'],
      ['DeleteMonitor', { monitorId: null }, 'payload.monitorId'],
      ['RecordCheckResult', { checkId: 'check-1' }, 'payload.checkId'],
      ['RecordCheckResult', { status: 'ok' }, 'payload.status'],
      ['RecordCheckResult', { responseTimeMs: -1 }, 'payload.responseTimeMs'],
      ['RecordCheckResult', { responseTimeMs: 600_001 }, 'payload.responseTimeMs'],
      ['RecordCheckResult', { responseTimeMs: '12' }, 'payload.responseTimeMs'],
      ['RecordCheckResult', { statusCode: 99 }, 'payload.statusCode'],
      ['RecordCheckResult', { statusCode: 600 }, 'payload.statusCode'],
      ['RecordCheckResult', { errorMessage: 'e'.repeat(2001) }, 'payload.errorMessage'],
      ['RecordCheckResult', { region: 'r'.repeat(51) }, 'payload.region'],
      ['RecordCheckResult', { checkedAt: undefined }, 'payload.checkedAt'],
      ['RecordCheckResult', { checkedAt: 1736942400000 }, 'payload.checkedAt'],
      ['ScheduleMaintenance', { maintenanceWindowId: 'w' }, 'payload.maintenanceWindowId'],
      ['ScheduleMaintenance', { monitorId: 'm' }, 'payload.monitorId'],
      ['ScheduleMaintenance', { title: '' }, 'payload.title'],
      ['ScheduleMaintenance', { startsAt: '2025-01-15' }, 'payload.startsAt'],
      ['ScheduleMaintenance', { endsAt: undefined }, 'payload.endsAt'],
      ['ScheduleMaintenance', { recurrence: 'weekly' }, 'payload.recurrence'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, timezone: 'Europe/Atlantis' } }, 'payload.recurrence.timezone'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, timezone: '+01:00' } }, 'payload.recurrence.timezone'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, daysOfWeek: [] } }, 'payload.recurrence.daysOfWeek'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, daysOfWeek: ['monday'] } }, 'payload.recurrence.daysOfWeek'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, daysOfWeek: ['mon', 'mon'] } }, 'payload.recurrence.daysOfWeek'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, startTime: '7:00' } }, 'payload.recurrence.startTime'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, durationMinutes: 10_081 } }, 'payload.recurrence.durationMinutes'],
      ['ScheduleMaintenance', { recurrence: { ...RECURRENCE, every: 'week' } }, 'payload.recurrence.every'],
      ['CancelMaintenance', { maintenanceWindowId: undefined }, 'payload.maintenanceWindowId'],
    ];

    it.each(cases)('%s %j is rejected on %s', (type, overrides, field) => {
      const rejected = expectRejected(withPayload(type, overrides), 'VALIDATION_FAILED', field);
      expect(rejected.type).toBe(type);
      expect(rejected.error.details.every((detail) => detail.message.length > 0)).toBe(true);
    });

    it('reports every bad field at once', () => {
      const rejected = expectRejected(withPayload('CreateMonitor', { name: '', url: 'nope', checkInterval: 1 }), 'VALIDATION_FAILED');
      expect(rejected.error.details.map((detail) => detail.field).sort()).toEqual(['payload.checkInterval', 'payload.name', 'payload.url']);
    });

    it('rejects text that is not storable or not displayable safely, naming the field', () => {
      for (const name of ['nul \u0000 inside', 'lone \ud800', 'bell \u0007', 'flip \u202e', 'two\nlines']) {
        const rejected = expectRejected(withPayload('CreateMonitor', { name }), 'VALIDATION_FAILED', 'payload.name');
        expect(rejected.error.details[0].message).toMatch(/^name must not contain/);
      }
      expectRejected(withPayload('RecordCheckResult', { errorMessage: 'a\u0000' }), 'VALIDATION_FAILED', 'payload.errorMessage');
      expectRejected(parse('RenameTenant', { name: 'x' }, { issuedBy: 'ops\u0000' }), 'VALIDATION_FAILED', 'issuedBy');
      // validator.js's isEmail and isURL throw URIError on a lone surrogate; the field is refused instead.
      expectRejected(withPayload('RegisterUser', { email: 'a\ud800@example.com' }), 'VALIDATION_FAILED', 'payload.email');
      expectRejected(withPayload('CreateMonitor', { url: 'https://example.com/\udc00' }), 'VALIDATION_FAILED', 'payload.url');
    });

    it('normalises text to NFC and counts code points, so what is accepted fits the read model', () => {
      const created = expectCommand(withPayload('CreateMonitor', { name: 'e\u0301'.repeat(255) }));
      expect(created.data).toMatchObject({ name: '\u00e9'.repeat(255) });
      expectCommand(withPayload('CreateMonitor', { name: '\u{1F600}'.repeat(255) }));
      expectRejected(withPayload('CreateMonitor', { name: '\u{1F600}'.repeat(256) }), 'VALIDATION_FAILED', 'payload.name');
      const check = expectCommand(withPayload('RecordCheckResult', { errorMessage: 'HTTP 500\r\n\tat line 1' }));
      expect(check.data).toMatchObject({ errorMessage: 'HTTP 500\r\n\tat line 1' });
    });
  });

  describe('commandAddress', () => {
    it('reads who to answer from the top level only', () => {
      const { key, value, envelope } = commandMessage('CreateMonitor', { name: `${'['.repeat(10_000)}` });
      expect(commandAddress({ key, value })).toEqual({
        commandId: envelope.commandId,
        correlationId: envelope.commandId,
        tenantId: envelope.tenantId,
        type: 'CreateMonitor',
      });
      expect(commandAddress({ key, value: Buffer.from('{"commandId":7}') })).toBeNull();
      expect(commandAddress({ key, value: Buffer.from([0xff]) })).toBeNull();
      expect(commandAddress({ key, value: null })).toBeNull();
    });
  });

  describe('structure limits (VALIDATION_FAILED before any recursive code runs)', () => {
    const raw = (payloadJson: string) => {
      const { key, envelope } = commandMessage('CreateMonitor', {});
      const json = JSON.stringify(envelope).replace('"payload":{}', `"payload":${payloadJson}`);
      return parseCommandMessage({ key, value: Buffer.from(json), now: NOW });
    };

    it('refuses a value nested 10,000 levels deep, naming where the limit was crossed', () => {
      const rejected = expectRejected(raw(`{"name":${'['.repeat(10_000)}${']'.repeat(10_000)}}`), 'VALIDATION_FAILED');
      expect(rejected.error.details).toEqual([
        { field: `payload.name${'[0]'.repeat(COMMAND_LIMITS.maxDepth - 2)}`, message: expect.stringMatching(/deeper than 16 levels/) },
      ]);
    });

    it('accepts nesting up to the limit (the envelope is level 1)', () => {
      const nested = `${'['.repeat(COMMAND_LIMITS.maxDepth - 2)}${']'.repeat(COMMAND_LIMITS.maxDepth - 2)}`;
      expectRejected(raw(`{"name":${nested}}`), 'VALIDATION_FAILED', 'payload.name');
      const deeper = `[${nested}]`;
      expect(expectRejected(raw(`{"name":${deeper}}`), 'VALIDATION_FAILED').error.message).toMatch(/structure/);
    });

    it.each([
      ['{"__proto__":{"url":"https://example.com/"},"name":"x"}', 'payload.__proto__'],
      ['{"name":{"__proto__":{"polluted":true}}}', 'payload.name.__proto__'],
      ['{"constructor":{"prototype":{"polluted":true}}}', 'payload.constructor'],
      ['{"name":[{"prototype":1}]}', 'payload.name[0].prototype'],
    ])('refuses the key in %s, naming %s', (payload, field) => {
      const rejected = expectRejected(raw(payload), 'VALIDATION_FAILED');
      expect(rejected.error.details).toEqual([{ field, message: expect.stringMatching(/is refused anywhere in a command/) }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses the keys in the envelope too', () => {
      const { key, envelope } = commandMessage('RenameTenant', { name: 'x' });
      const json = JSON.stringify(envelope).replace('{', '{"__proto__":{"tenantId":"x"},');
      expectRejected(parseCommandMessage({ key, value: Buffer.from(json), now: NOW }), 'VALIDATION_FAILED', '__proto__');
    });

    it('refuses more values than the limit, at any level', () => {
      const many = `[${Array.from({ length: COMMAND_LIMITS.maxValues }, () => '0').join(',')}]`;
      const rejected = expectRejected(raw(`{"name":${many}}`), 'VALIDATION_FAILED', 'payload.name');
      expect(rejected.error.details[0].message).toMatch(/more than 10000/);
    });
  });

  describe('envelope errors (VALIDATION_FAILED)', () => {
    it.each([
      [{ commandId: 'not-a-uuid' }, 'commandId'],
      [{ type: 42 }, 'type'],
      [{ type: undefined }, 'type'],
      [{ expectedVersion: -1 }, 'expectedVersion'],
      [{ expectedVersion: 1.5 }, 'expectedVersion'],
      [{ expectedVersion: '1' }, 'expectedVersion'],
      [{ correlationId: 'corr-1' }, 'correlationId'],
      [{ issuedBy: 'i'.repeat(101) }, 'issuedBy'],
      [{ issuedAt: 'now' }, 'issuedAt'],
      [{ payload: 'x' }, 'payload'],
      [{ payload: [1, 2] }, 'payload'],
    ])('%j is rejected on %s', (overrides, field) => {
      const rejected = expectRejected(parse('RenameTenant', { name: 'x' }, overrides), 'VALIDATION_FAILED', field);
      expect(rejected.commandId).toBeTruthy();
    });

    it('rejects a tenantId that is not a UUID, or not in lower case, naming the field', () => {
      const id = randomUUID().toUpperCase();
      const { value } = commandMessage('RenameTenant', { name: 'x' }, { tenantId: id });
      const rejected = expectRejected(parseCommandMessage({ key: id, value, now: NOW }), 'VALIDATION_FAILED', 'tenantId');
      expect(rejected.tenantId).toBe(id);
      expectRejected(parse('RenameTenant', { name: 'x' }, { tenantId: 'acme' }), 'VALIDATION_FAILED', 'tenantId');
    });

    it('echoes what it could read of the envelope, so the caller finds the result', () => {
      const { key, value, envelope } = commandMessage('RenameTenant', {}, { correlationId: 'trace-42', tenantId: 7 });
      const rejected = expectRejected(parseCommandMessage({ key: 'the-key', value, now: NOW }), 'VALIDATION_FAILED');
      expect(key).toBeNull();
      expect(rejected).toMatchObject({
        commandId: envelope.commandId,
        correlationId: 'trace-42',
        tenantId: 'the-key',
        type: 'RenameTenant',
      });
    });
  });

  describe('TENANT_MISMATCH', () => {
    it('rejects a tenantId that differs from the message key', () => {
      const { value, envelope } = commandMessage('DeleteTenant', {});
      const rejected = expectRejected(parseCommandMessage({ key: randomUUID(), value, now: NOW }), 'TENANT_MISMATCH', 'tenantId');
      expect(rejected).toMatchObject({ commandId: envelope.commandId, tenantId: envelope.tenantId, type: 'DeleteTenant' });
    });

    it('rejects a message without a key', () => {
      const { value } = commandMessage('DeleteTenant', {});
      expectRejected(parseCommandMessage({ key: null, value, now: NOW }), 'TENANT_MISMATCH');
    });
  });

  describe('UNKNOWN_COMMAND', () => {
    it('rejects a type it does not know, whatever the payload', () => {
      const rejected = expectRejected(parse('DropAllTables', { anything: true }), 'UNKNOWN_COMMAND', 'type');
      expect(rejected.type).toBe('DropAllTables');
    });

    it('does not take inherited property names for command types', () => {
      expectRejected(parse('toString', {}), 'UNKNOWN_COMMAND');
      expectRejected(parse('constructor', {}), 'UNKNOWN_COMMAND');
    });
  });

  describe('size limit', () => {
    const padded = (totalBytes: number) => {
      const { key, envelope } = commandMessage('RenameTenant', { name: 'x' }, { padding: '' });
      const base = Buffer.byteLength(JSON.stringify(envelope));
      const value = Buffer.from(JSON.stringify({ ...envelope, padding: 'p'.repeat(totalBytes - base) }));
      expect(value.length).toBe(totalBytes);
      return { key, value, envelope };
    };

    it('accepts a message of exactly 256 KiB', () => {
      const { key, value } = padded(MAX_COMMAND_BYTES);
      expectCommand(parseCommandMessage({ key, value, now: NOW }));
    });

    it('rejects a larger one with VALIDATION_FAILED when it has a commandId', () => {
      const { key, value, envelope } = padded(MAX_COMMAND_BYTES + 1);
      const rejected = expectRejected(parseCommandMessage({ key, value, now: NOW }), 'VALIDATION_FAILED');
      expect(rejected.commandId).toBe(envelope.commandId);
      expect(rejected.error.message).toContain(String(MAX_COMMAND_BYTES));
    });

    it('takes another limit when given one', () => {
      const { key, value } = padded(2000);
      expectRejected(parseCommandMessage({ key, value, now: NOW, maxBytes: 1999 }), 'VALIDATION_FAILED');
    });

    it('sends an oversize message without a commandId to the DLQ', () => {
      const value = Buffer.from(JSON.stringify({ padding: 'p'.repeat(MAX_COMMAND_BYTES) }));
      expect(parseCommandMessage({ key: null, value, now: NOW }).kind).toBe('malformed');
    });
  });

  describe('malformed messages (to the DLQ)', () => {
    it.each([
      ['a tombstone', null],
      ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
      ['not JSON', Buffer.from('{"commandId": ')],
      ['plain text', Buffer.from('CreateMonitor please')],
      ['a JSON array', Buffer.from('[{"commandId":"x"}]')],
      ['a JSON string', Buffer.from('"hello"')],
      ['JSON null', Buffer.from('null')],
      ['no commandId', Buffer.from(JSON.stringify({ type: 'DeleteTenant', tenantId: randomUUID(), payload: {} }))],
      ['a numeric commandId', Buffer.from(JSON.stringify({ commandId: 42, type: 'DeleteTenant' }))],
      ['an empty commandId', Buffer.from(JSON.stringify({ commandId: ' ', type: 'DeleteTenant' }))],
    ])('%s is malformed, with a reason', (_, value) => {
      const result = parseCommandMessage({ key: randomUUID(), value, now: NOW });
      expect(result.kind).toBe('malformed');
      expect(result.kind === 'malformed' && result.reason.length > 0).toBe(true);
    });
  });
});

describe('validation messages', () => {
  it('names only the type problem when a value has the wrong type', () => {
    const rejected = expectRejected(parse('CreateMonitor', { ...validPayload('CreateMonitor'), checkInterval: '5' }), 'VALIDATION_FAILED');
    expect(rejected.error.details).toEqual([{ field: 'payload.checkInterval', message: 'checkInterval must be an integer number' }]);
  });

  it('lists every broken rule of a field otherwise', () => {
    const rejected = expectRejected(parse('CreateTenant', { name: 'A', slug: 'A' }), 'VALIDATION_FAILED');
    expect(rejected.error.details).toHaveLength(1);
    expect(rejected.error.details[0].message).toMatch(/slug must be longer than or equal to 3 characters; slug must be lower-case/);
  });
});
