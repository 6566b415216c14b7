import { envelope, FIXED_TIME, id, recordOf } from '../testing/envelopes';
import { TEST_DECISION_PORTS } from '../../../domain/src/testing/domain-factories';
import { decodeRecord, identityOf } from './decode-event';

describe('decodeRecord', () => {
  const created = () => envelope('TenantCreated', { tenantId: id('tenant'), name: 'Acme', slug: 'acme', plan: 'pro' });

  it('reads a valid envelope and fills correlationId from commandId when absent', () => {
    const { correlationId: _omitted, ...withoutCorrelation } = created();
    const decoded = decodeRecord(recordOf(withoutCorrelation as never), TEST_DECISION_PORTS);
    const envelope = decoded.ok ? decoded.envelope : undefined;
    expect(envelope?.correlationId).toBeDefined();
    expect(envelope?.correlationId).toBe(envelope?.commandId);
  });

  it('lower-cases ids, so one id has one spelling in memory', () => {
    const e = created();
    const decoded = decodeRecord(
      recordOf({ ...e, tenantId: e.tenantId.toUpperCase(), eventId: e.eventId.toUpperCase() }),
      TEST_DECISION_PORTS,
    );
    expect(decoded.ok && [decoded.envelope?.tenantId, decoded.envelope?.eventId]).toEqual([e.tenantId, e.eventId]);
  });

  it.each([
    ['not JSON', '{"type": ', 'UNREADABLE'],
    ['a JSON array', '[1, 2]', 'INVALID_ENVELOPE'],
    ['an unknown type', JSON.stringify({ ...created(), type: 'TenantExploded' }), 'UNSUPPORTED_EVENT'],
    ['a bad event id', JSON.stringify({ ...created(), eventId: 'nope' }), 'INVALID_ENVELOPE'],
    ['a version of 0', JSON.stringify({ ...created(), version: 0 }), 'INVALID_ENVELOPE'],
    ['a time without a zone', JSON.stringify({ ...created(), occurredAt: '2026-01-15T10:20:30' }), 'INVALID_ENVELOPE'],
    ['a payload that is not an object', JSON.stringify({ ...created(), payload: 'x' }), 'INVALID_ENVELOPE'],
    ['a wrong aggregate type', JSON.stringify({ ...created(), aggregateType: 'user' }), 'INVALID_ENVELOPE'],
  ])('rejects %s', (_, value, code) => {
    const decoded = decodeRecord(recordOf(value), TEST_DECISION_PORTS);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.rejection.code).toBe(code);
  });

  it('reads an envelope without schemaVersion as version 1', () => {
    const { schemaVersion: _absent, ...unversioned } = created();
    const decoded = decodeRecord(recordOf(unversioned as never), TEST_DECISION_PORTS);
    expect(decoded.ok && decoded.envelope?.schemaVersion).toBe(1);
  });

  it('parks an event of a version newer than this code as unsupported, naming the versions it reads', () => {
    const decoded = decodeRecord(recordOf({ ...created(), schemaVersion: 2 }), TEST_DECISION_PORTS);
    expect(!decoded.ok && [decoded.rejection.code, decoded.rejection.message]).toEqual([
      'UNSUPPORTED_EVENT',
      'TenantCreated schemaVersion 2 is not supported (this version reads 1..1)',
    ]);
  });

  it('rejects a tombstone', () => {
    const decoded = decodeRecord(recordOf(null), TEST_DECISION_PORTS);
    expect(!decoded.ok && decoded.rejection.code).toBe('UNREADABLE');
  });

  it('keeps of a check result its row and identity, not the envelope', () => {
    const monitorId = id('monitor-1');
    const e = envelope('CheckRecorded', { monitorId, checkId: id('check-1'), status: 'up', responseTimeMs: 120, checkedAt: FIXED_TIME });
    const decoded = decodeRecord(recordOf(e), TEST_DECISION_PORTS);
    expect(decoded).toMatchObject({
      ok: true,
      eventId: e.eventId,
      check: { tenantId: e.tenantId, monitorId, id: id('check-1'), responseTimeMs: 120 },
    });
    expect(decoded.ok && decoded.envelope).toBeUndefined();
    expect(identityOf(decoded)).toEqual({ eventId: e.eventId, type: 'CheckRecorded', tenantId: e.tenantId });
  });

  it('keeps what it could read of a rejected envelope, for the parked row', () => {
    const e = created();
    const decoded = decodeRecord(recordOf(JSON.stringify({ ...e, version: -1 })), TEST_DECISION_PORTS);
    expect(!decoded.ok && decoded.partial).toEqual({ eventId: e.eventId, type: 'TenantCreated', tenantId: e.tenantId });
  });
});
