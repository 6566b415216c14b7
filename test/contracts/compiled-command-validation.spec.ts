import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';
import { COMMAND_TYPES, CommandType } from '@vinsight/domain';
import { COMMAND_SPECS, CommandEnvelopeDto, HTTP_URL, parseCommandMessage, parseCommandMessageByDecorators } from '@vinsight/contracts';
import { acceptsAsIs, compiledCommandValidators } from '../../libs/contracts/src/commands/compiled-command-validation';
import { NOW, validPayload } from '../../libs/contracts/src/testing/command-messages';

const TENANT = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';

function envelopeOf(type: CommandType): Record<string, unknown> {
  return {
    commandId: '9b2d7c1e-0a4f-4e3b-9c8d-7e6f5a4b3c2d',
    type,
    tenantId: TENANT,
    correlationId: 'c0ffee00-1234-4abc-8def-0123456789ab',
    issuedBy: 'ops@example.com',
    issuedAt: '2025-01-15T11:58:00Z',
    expectedVersion: 3,
    payload: validPayload(type),
  };
}

/** Values on both sides of every rule the DTOs have: case, spacing, normal forms, control characters, ranges, formats. */
const EDGE_VALUES: readonly unknown[] = [
  null,
  '',
  ' ',
  'x',
  ' padded ',
  '\tTabbed',
  'line\nbreak',
  'nul\u0000byte',
  'bidi\u202eoverride',
  'lone\ud800surrogate',
  'cafe\u0301',
  'café',
  'a'.repeat(101),
  'a'.repeat(256),
  'a'.repeat(2049),
  'acme-corp',
  'Acme--Corp',
  'ab'.repeat(32),
  'AB'.repeat(32),
  '9b2d7c1e-0a4f-4e3b-9c8d-7e6f5a4b3c2d',
  '9B2D7C1E-0A4F-4E3B-9C8D-7E6F5A4B3C2D',
  ' 9b2d7c1e-0a4f-4e3b-9c8d-7e6f5a4b3c2d',
  '9b2d7c1e-0a4f-0e3b-9c8d-7e6f5a4b3c2d',
  '00000000-0000-0000-0000-000000000000',
  TENANT,
  '2025-01-15T11:59:30Z',
  '2025-01-15T11:59:30.250+01:00',
  '2025-01-15',
  '2025-01-15T11:59:30',
  '2025-02-30T00:00:00Z',
  '2025-01-15 11:59:30Z',
  'https://example.com/health',
  'http://localhost:8080/x',
  'ftp://example.com/',
  'example.com',
  'https://exa mple.com/',
  'ada@example.com',
  'not-an-email',
  '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234',
  'up',
  'UP',
  'down',
  'error',
  'free',
  'pro',
  'enterprise',
  'owner',
  'admin',
  'user',
  0,
  -1,
  1.5,
  9,
  10,
  100,
  599,
  600,
  86_400,
  86_401,
  600_000,
  600_001,
  true,
  {},
  [],
  ['x'],
];

const REMOVE = Symbol('remove');
const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...EDGE_VALUES) },
  { weight: 2, arbitrary: fc.constant(REMOVE) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
);

/** A valid message of some type with up to four of its envelope or payload fields (or one unknown field) changed or removed. */
const message = fc
  .record({
    type: fc.constantFrom(...COMMAND_TYPES),
    changes: fc.array(fc.record({ inPayload: fc.boolean(), pick: fc.nat(), value }), { maxLength: 4 }),
    keyMatches: fc.boolean(),
  })
  .map(({ type, changes, keyMatches }) => {
    const envelope = envelopeOf(type);
    const payload = envelope.payload as Record<string, unknown>;
    for (const change of changes) {
      const target = change.inPayload ? payload : envelope;
      const fields = [...Object.keys(target).filter((field) => field !== 'payload'), 'unknownField'];
      const field = fields[change.pick % fields.length];
      if (change.value === REMOVE) delete target[field];
      else target[field] = change.value;
    }
    return { key: keyMatches ? TENANT : '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5c', value: Buffer.from(JSON.stringify(envelope)), now: NOW };
  });

describe('the compiled command validation', () => {
  it('compiles for every command type in strict mode', () => {
    expect([...compiledCommandValidators().keys()].sort()).toEqual([...COMMAND_TYPES].sort());
  });

  it.each(COMMAND_TYPES)('accepts a valid %s as it stands, so the hot path is taken', (type) => {
    expect(acceptsAsIs(type, envelopeOf(type))).toBe(true);
  });

  it('parses every message exactly as the decorators do: same commands, same rejections and details (seeded property)', () => {
    fc.assert(
      fc.property(message, (input) => {
        expect(parseCommandMessage(input)).toStrictEqual(parseCommandMessageByDecorators(input));
      }),
      { seed: 1616, numRuns: 4000 },
    );
  });

  it('gives its formats the options the decorators use (uri: HTTP_URL; email: the defaults)', () => {
    const classes = [CommandEnvelopeDto, ...COMMAND_TYPES.map((type) => COMMAND_SPECS[type].payload)];
    const constraints = classes.flatMap((dto) =>
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .filter((metadata) => metadata.name === 'isUrl' || metadata.name === 'isEmail'),
    );
    expect(constraints.length).toBeGreaterThan(0);
    for (const constraint of constraints) {
      expect(constraint.constraints).toEqual(constraint.name === 'isUrl' ? [HTTP_URL] : [undefined]);
    }
  });
});
