import type { EventEnvelope } from '@vinsight/contracts';
import { TEST_DECISION_PORTS } from '../../../domain/src/testing/domain-factories';
import { PersonalDataVault } from '@vinsight/personal-data';
import { testPersonalDataKeys } from '../../../personal-data/src/testing/test-keys';

/** These read models never open personal data: a vault without a database. */
const personalData = new PersonalDataVault(
  { query: () => Promise.reject(new Error('no database in this spec')) } as never,
  testPersonalDataKeys(),
);
import type { PoolClient } from 'pg';
import { decodeRecord, DecodedRecord } from '../events/decode-event';
import { ProjectionRejection } from '../events/projection-rejection';
import { envelope, id, recordOf } from '../testing/envelopes';
import { ProjectionEngine } from './projection-engine';
import { ProjectedEvent, ReadModel, ReadModelContext } from './read-model';

/** A read model that records what it was given and acts as told, writing nothing. */
function fakeReadModel(
  name: string,
  canHandle: ReadModel['canHandle'],
  act: (events: readonly ProjectedEvent[], context: ReadModelContext) => void = () => undefined,
): ReadModel & { seen: string[][] } {
  const seen: string[][] = [];
  return {
    name,
    tables: [name],
    canHandle,
    seen,
    async handle(events, context) {
      seen.push(events.map((e) => (e.check ? e.eventId : e.envelope.eventId)));
      act(events, context);
    },
  };
}

const client = {} as PoolClient;
const created = envelope('TenantCreated', { tenantId: id('tenant'), name: 'Acme', slug: 'acme' });
const renamed = envelope('TenantRenamed', { name: 'Acme Inc' }, { version: 2 });
const check = envelope(
  'CheckRecorded',
  { monitorId: id('monitor'), checkId: id('check'), status: 'up', checkedAt: '2026-01-15T10:00:00.000Z' },
  { aggregateId: id('monitor') },
);
const decoded = (...envelopes: EventEnvelope[]): DecodedRecord[] =>
  envelopes.map((e, offset) => decodeRecord(recordOf(e, { offset: BigInt(offset) }), TEST_DECISION_PORTS));

describe('ProjectionEngine', () => {
  it('gives each read model the events of its types, in record order, one read model after the other', async () => {
    const order: string[] = [];
    const tenants = fakeReadModel('tenants', ['TenantCreated', 'TenantRenamed'], () => order.push('tenants'));
    const checks = fakeReadModel('checks', ['CheckRecorded'], () => order.push('checks'));
    const audit = fakeReadModel('audit', ['TenantCreated', 'TenantRenamed'], () => order.push('audit'));
    const outcome = await new ProjectionEngine([tenants, checks, audit], personalData).apply(client, decoded(created, check, renamed));
    expect(order).toEqual(['tenants', 'checks', 'audit']);
    expect(tenants.seen).toEqual([[created.eventId, renamed.eventId]]);
    expect(checks.seen).toEqual([[check.eventId]]);
    expect(outcome.applied).toEqual(
      new Map([
        ['TenantCreated', 1],
        ['CheckRecorded', 1],
        ['TenantRenamed', 1],
      ]),
    );
    expect(outcome.rejected).toEqual([]);
  });

  it('parks what the first read model of a type refuses; the read models after it never see it', async () => {
    const tenants = fakeReadModel('tenants', ['TenantCreated', 'TenantRenamed'], (events, context) =>
      context.reject(events[1], new ProjectionRejection('UNKNOWN_AGGREGATE', 'never created')),
    );
    const audit = fakeReadModel('audit', ['TenantCreated', 'TenantRenamed']);
    const outcome = await new ProjectionEngine([tenants, audit], personalData).apply(client, decoded(created, renamed));
    expect(audit.seen).toEqual([[created.eventId]]);
    expect(outcome.rejected.map((r) => [r.record.offset, r.rejection.code])).toEqual([[1n, 'UNKNOWN_AGGREGATE']]);
    expect(outcome.applied).toEqual(new Map([['TenantCreated', 1]]));
  });

  it('does not let a later read model refuse an event an earlier one has applied', async () => {
    const tenants = fakeReadModel('tenants', ['TenantCreated']);
    const audit = fakeReadModel('audit', ['TenantCreated'], (events, context) =>
      context.reject(events[0], new ProjectionRejection('INVALID_PAYLOAD', 'no')),
    );
    await expect(new ProjectionEngine([tenants, audit], personalData).apply(client, decoded(created))).rejects.toThrow(
      /audit may not refuse TenantCreated/,
    );
  });

  it('refuses an event no read model applies, and a record that could not be decoded', async () => {
    const outcome = await new ProjectionEngine([fakeReadModel('checks', ['CheckRecorded'])], personalData).apply(client, [
      ...decoded(created),
      decodeRecord(recordOf('not json', { offset: 1n }), TEST_DECISION_PORTS),
    ]);
    expect(outcome.rejected.map((r) => r.rejection.code)).toEqual(['UNSUPPORTED_EVENT', 'UNREADABLE']);
  });

  it('counts events found already applied apart, and shows them to the read models after the one that found them', async () => {
    let seenAsSuperseded: boolean[] = [];
    const checks = fakeReadModel('checks', ['CheckRecorded'], (events, context) => context.superseded(events[0]));
    const monitors = fakeReadModel(
      'monitors',
      ['CheckRecorded'],
      (events, context) => (seenAsSuperseded = events.map((e) => context.isSuperseded(e))),
    );
    const again = { ...check, eventId: id('event-again'), payload: { ...check.payload, checkId: id('check-2') } } as EventEnvelope;
    const outcome = await new ProjectionEngine([checks, monitors], personalData).apply(client, decoded(check, again));
    expect(seenAsSuperseded).toEqual([true, false]);
    expect(outcome.applied.get('CheckRecorded')).toBe(2);
    expect(outcome.changed.get('CheckRecorded')).toBe(1);
  });

  it('refuses a list in which two read models write one table', () => {
    const a = { ...fakeReadModel('a', ['CheckRecorded']), tables: ['monitors'] };
    const b = { ...fakeReadModel('b', ['TenantCreated']), tables: ['monitors'] };
    expect(() => new ProjectionEngine([a, b], personalData)).toThrow(/monitors is written by both read models a and b/);
  });
});
