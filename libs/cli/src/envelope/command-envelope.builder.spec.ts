import { UsageError } from '../exit-codes';
import { buildCommandEnvelope, DEFAULT_ISSUED_BY, EnvelopeContext, parseEnvelopeFile } from './command-envelope.builder';

const TENANT = '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11';
const GENERATED_ID = '11111111-2222-4333-8444-555555555555';
const NOW = new Date('2025-01-15T12:00:00.000Z');
const context: EnvelopeContext = { newId: () => GENERATED_ID, now: () => NOW };

describe('buildCommandEnvelope', () => {
  it('builds an envelope from flags, generating the commandId and stamping issuedBy and issuedAt', () => {
    const envelope = buildCommandEnvelope({}, { type: 'RenameTenant', tenantId: TENANT, payload: { name: 'Acme' } }, {}, context);
    expect(envelope).toEqual({
      commandId: GENERATED_ID,
      type: 'RenameTenant',
      tenantId: TENANT,
      issuedBy: DEFAULT_ISSUED_BY,
      issuedAt: '2025-01-15T12:00:00.000Z',
      payload: { name: 'Acme' },
    });
  });

  it('keeps the file as it is (commandId, unknown fields, its own issuedBy) and lets flags replace fields', () => {
    const file = {
      commandId: 'c1',
      type: 'CreateMonitor',
      tenantId: TENANT,
      expectedVersion: 0,
      issuedBy: 'deploy-bot',
      issuedAt: '2025-01-01T00:00:00Z',
      traceId: 'abc',
      payload: { monitorId: 'm', name: 'Home', url: 'https://example.com/' },
    };
    expect(buildCommandEnvelope(file, {}, {}, context)).toEqual(file);
    const replaced = buildCommandEnvelope(
      file,
      { expectedVersion: 3, payload: { monitorId: 'm', name: 'Other' }, commandId: 'c2' },
      { issuedBy: 'ops' },
      context,
    );
    expect(replaced).toMatchObject({
      commandId: 'c2',
      expectedVersion: 3,
      issuedBy: 'ops',
      traceId: 'abc',
      payload: { monitorId: 'm', name: 'Other' },
    });
  });

  it('generates a commandId for a file that has none (or null), and sends an absent payload as {}', () => {
    expect(buildCommandEnvelope({ type: 'DeleteTenant', tenantId: TENANT, commandId: null }, {}, {}, context)).toMatchObject({
      commandId: GENERATED_ID,
      payload: {},
    });
  });

  it.each([
    [{ tenantId: TENANT }, /no type/],
    [{ type: 42, tenantId: TENANT }, /no type/],
    [{ type: 'DeleteTenant' }, /no tenantId/],
    [{ type: 'DeleteTenant', tenantId: 7 }, /no tenantId/],
    [{ type: 'DeleteTenant', tenantId: TENANT, commandId: 12 }, /"commandId" must be a string/],
    [{ type: 'DeleteTenant', tenantId: TENANT, commandId: '  ' }, /"commandId" must be a string/],
  ])('refuses %j, which could not be answered', (file, message) => {
    expect(() => buildCommandEnvelope(file, {}, {}, context)).toThrow(UsageError);
    expect(() => buildCommandEnvelope(file, {}, {}, context)).toThrow(message);
  });
});

describe('parseEnvelopeFile', () => {
  it('reads one JSON object', () => {
    expect(parseEnvelopeFile('{"type":"DeleteTenant"}', 'cmd.json')).toEqual({ type: 'DeleteTenant' });
  });

  it.each([
    ['{', /cmd.json is not JSON/],
    ['[]', /cmd.json must hold one JSON object/],
    ['"text"', /must hold one JSON object/],
  ])('refuses %j', (text, message) => {
    expect(() => parseEnvelopeFile(text, 'cmd.json')).toThrow(message);
  });
});
