import fc from 'fast-check';
import type { DecidedEvent, DomainCommand, TenantWriteState } from '@vinsight/domain';
import { decide, evolveTenantWriteState, initialTenantWriteState } from '@vinsight/domain';
import { eventFromEnvelope, EventEnvelope, toEventEnvelope } from '@vinsight/contracts';

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

/** The events the decider writes for a monitor and its checks, and the state they build. */
/** One generated check. */
type Check = typeof check extends fc.Arbitrary<infer T> ? T : never;

function history(checks: Check[]): { decided: DecidedEvent[]; state: TenantWriteState } {
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
  ];
  let state = initialTenantWriteState();
  const decided: DecidedEvent[] = [];
  for (const next of commands) {
    const decision = decide(next, state);
    if (!decision.ok) throw new Error(`${next.type}: ${decision.error.message}`);
    for (const event of decision.events) {
      decided.push(event);
      state = evolveTenantWriteState(state, event);
    }
  }
  return { decided, state };
}

/** The same event as the code before CheckRecorded v2 wrote it: no region when there was none, version 1. */
function asWrittenInV1(envelope: EventEnvelope): EventEnvelope {
  if (envelope.type !== 'CheckRecorded') return envelope;
  const { region, ...payload } = envelope.payload;
  return { ...envelope, schemaVersion: 1, payload: region === null ? payload : { ...payload, region } } as EventEnvelope;
}

describe('CheckRecorded v1 and v2 in one history', () => {
  it('upcast then evolved, builds the state that evolving the current version builds', () => {
    fc.assert(
      fc.property(
        fc.array(check, { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        (checks, writtenInV1) => {
          const { decided, state } = history(checks);
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

          const fromMixed = wire(mixed).map(eventFromEnvelope).reduce(evolveTenantWriteState, initialTenantWriteState());
          const fromCurrent = wire(current).map(eventFromEnvelope).reduce(evolveTenantWriteState, initialTenantWriteState());
          expect(fromMixed).toEqual(fromCurrent);
          expect(fromCurrent).toEqual(state);
          // And event for event, the payloads read back are the ones written in the current version.
          expect(wire(mixed).map(eventFromEnvelope)).toEqual(wire(current).map(eventFromEnvelope));
        },
      ),
      { seed: 18, numRuns: 200 },
    );
  });
});
