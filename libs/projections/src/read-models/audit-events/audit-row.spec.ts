import { envelope } from '../../testing/envelopes';
import { auditRowOf } from './audit-row';

describe('audit events', () => {
  it('keeps the envelope metadata, issuedBy when present and null when not', () => {
    const e = envelope('TenantRenamed', { name: 'x', previousName: 'y' }, { issuedBy: 'billing-service', version: 2 });
    expect(auditRowOf(e)).toMatchObject({
      type: 'TenantRenamed',
      aggregateType: 'tenant',
      version: 2,
      issuedBy: 'billing-service',
      payload: '{"name":"x","previousName":"y"}',
    });
    expect(auditRowOf(envelope('TenantDeleted', {})).issuedBy).toBeNull();
  });
});
