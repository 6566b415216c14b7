import fc from 'fast-check';
import type { DecidedEvent, DomainCommand, TenantWriteState } from '@vinsight/domain';
import { decide, evolveTenantWriteState, initialTenantWriteState } from '@vinsight/domain';
import { eventFromEnvelope, EventEnvelope, toEventEnvelope } from '@vinsight/contracts';
import { emailHasher } from '@vinsight/personal-data';
import { testPersonalDataKeys } from '../../libs/personal-data/src/testing/test-keys';

/** The processor's keyed email hash, with the test key: decide and upcast use the same one. */
const ports = { emailHashOf: emailHasher(testPersonalDataKeys().emailHashKey) };
const BCRYPT_HASH = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

const tenantId = '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11';
const monitorId = '7c1e4f0e-3a55-4d43-9a5b-0f3c1d2e8a10';
const START = Date.parse('2026-01-10T00:00:00.000Z');

const hexId = (n: number, prefix: string) => `${prefix}${n.toString(16).padStart(12, '0')}`;

const command = (type: DomainCommand['type'], data: object, index: number): DomainCommand =>
  ({
    type,
    data,
    metadata: {
      commandId: hexId(index, '11111111-2222-4333-8444-'),
      tenantId,
      correlationId: tenantId,
      now: new Date(START + index * 60_000),
    },
  }) as DomainCommand;

const check = fc.record({
  status: fc.constantFrom('up', 'down', 'error'),
  responseTimeMs: fc.option(fc.integer({ min: 0, max: 600_000 }), { nil: undefined }),
  statusCode: fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }),
  errorMessage: fc.option(fc.constantFrom('timeout', 'Service Unavailable'), { nil: undefined }),
  region: fc.option(fc.constantFrom('eu-west', 'us-east-1', 'ap-south'), { nil: undefined }),
  // Out of order too: checks from several regions arrive late.
  secondsEarly: fc.integer({ min: 0, max: 600 }),
});

/** A user registered, then perhaps removed or erased (erasure frees the email for a later user). */
const user = fc.record({
  email: fc.constantFrom('ada@example.com', 'Ada@Example.com', 'bob@example.com', 'carol@example.org'),
  role: fc.constantFrom('owner', 'admin', 'user'),
  then: fc.constantFrom('nothing', 'RemoveUser', 'EraseUser'),
});

/** One generated check. */
type Check = typeof check extends fc.Arbitrary<infer T> ? T : never;
type GeneratedUser = typeof user extends fc.Arbitrary<infer T> ? T : never;

/** The events the decider writes for a monitor and its checks and for some users, and the state they build. */
function history(checks: Check[], users: GeneratedUser[] = []): { decided: DecidedEvent[]; state: TenantWriteState } {
  const commands = [
    command('CreateTenant', { name: 'Acme', slug: 'acme', plan: 'enterprise' }, 0),
    command('CreateMonitor', { monitorId, name: 'Home', url: 'https://example.com/', checkInterval: 60 }, 1),
    ...checks.map(({ secondsEarly, ...c }, i) =>
      command(
        'RecordCheckResult',
        {
          monitorId,
          checkId: hexId(i, 'aaaaaaaa-bbbb-4ccc-8ddd-'),
          ...Object.fromEntries(Object.entries(c).filter(([, value]) => value !== undefined)),
          checkedAt: new Date(START + (i + 2) * 60_000 - secondsEarly * 1000),
        },
        i + 2,
      ),
    ),
    ...users.flatMap(({ email, role, then }, i) => {
      const userId = hexId(i, 'bbbbbbbb-cccc-4ddd-8eee-');
      const index = 1000 + 2 * i;
      const register = command('RegisterUser', { userId, email, role, passwordHash: BCRYPT_HASH }, index);
      return then === 'nothing' ? [register] : [register, command(then, { userId }, index + 1)];
    }),
  ];
  let state = initialTenantWriteState();
  const decided: DecidedEvent[] = [];
  for (const next of commands) {
    const decision = decide(next, state, ports);
    // A generated user whose email is taken is simply not registered (nor removed, nor erased).
    if (!decision.ok && decision.error.code === 'ALREADY_EXISTS' && next.type === 'RegisterUser') continue;
    if (!decision.ok && decision.error.code === 'NOT_FOUND' && (next.type === 'RemoveUser' || next.type === 'EraseUser')) continue;
    if (!decision.ok) throw new Error(`${next.type}: ${decision.error.message}`);
    for (const event of decision.events) {
      decided.push(event);
      state = evolveTenantWriteState(state, event);
    }
  }
  return { decided, state };
}

/**
 * The same event as the code before its v2 wrote it: CheckRecorded without a region when there
 * was none; UserRegistered with the email and the hash in the clear and no email hash.
 */
function asWrittenInV1(envelope: EventEnvelope): EventEnvelope {
  if (envelope.type === 'UserRegistered') {
    const { userId, role, personal } = envelope.payload;
    return {
      ...envelope,
      schemaVersion: 1,
      payload: { userId, role, email: personal!.email, passwordHash: personal!.passwordHash },
    } as unknown as EventEnvelope;
  }
  if (envelope.type !== 'CheckRecorded') return envelope;
  const { region, ...payload } = envelope.payload;
  return { ...envelope, schemaVersion: 1, payload: region === null ? payload : { ...payload, region } } as EventEnvelope;
}

describe('CheckRecorded and UserRegistered v1 and v2 in one history', () => {
  it('upcast then evolved, builds the state that evolving the current version builds', () => {
    fc.assert(
      fc.property(
        fc.array(check, { minLength: 1, maxLength: 40 }),
        fc.array(user, { maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        (checks, users, writtenInV1) => {
          const { decided, state } = history(checks, users);
          const current = decided.map((event, i) =>
            toEventEnvelope(event, {
              eventId: hexId(i, 'eeeeeeee-ffff-4000-8000-'),
              occurredAt: new Date(START),
              tenantId,
              commandId: tenantId,
              correlationId: tenantId,
            }),
          );
          const mixed = current.map((envelope, i) => (writtenInV1[i % writtenInV1.length] ? asWrittenInV1(envelope) : envelope));
          const wire = (envelopes: EventEnvelope[]) => envelopes.map((e) => JSON.parse(JSON.stringify(e)) as EventEnvelope);

          const fromMixed = wire(mixed)
            .map((e) => eventFromEnvelope(e, ports))
            .reduce(evolveTenantWriteState, initialTenantWriteState());
          const fromCurrent = wire(current)
            .map((e) => eventFromEnvelope(e, ports))
            .reduce(evolveTenantWriteState, initialTenantWriteState());
          expect(fromMixed).toEqual(fromCurrent);
          expect(fromCurrent).toEqual(state);
          // And event for event, the payloads read back are the ones written in the current version.
          expect(wire(mixed).map((e) => eventFromEnvelope(e, ports))).toEqual(wire(current).map((e) => eventFromEnvelope(e, ports)));
        },
      ),
      { seed: 18, numRuns: 200 },
    );
  });
});
