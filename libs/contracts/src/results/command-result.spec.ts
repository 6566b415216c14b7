import { randomUUID } from 'node:crypto';
import { notFound } from '@vinsight/domain';
import { acceptedResult, asDuplicate, rejectedResult } from './command-result';

const processedAt = new Date('2025-01-15T12:00:01.000Z');

describe('command results', () => {
  it('builds an accepted result', () => {
    const ids = { commandId: randomUUID(), correlationId: randomUUID(), tenantId: randomUUID(), aggregateId: randomUUID() };
    expect(acceptedResult({ ...ids, type: 'CreateMonitor', version: 1, position: 'p:3:42', processedAt })).toEqual({
      ...ids,
      type: 'CreateMonitor',
      status: 'accepted',
      version: 1,
      position: 'p:3:42',
      duplicate: false,
      processedAt: '2025-01-15T12:00:01.000Z',
    });
  });

  it('builds a rejected result from a domain error, details always present', () => {
    const ids = { commandId: randomUUID(), correlationId: randomUUID(), tenantId: randomUUID() };
    const result = rejectedResult({ ...ids, type: 'PauseMonitor', error: notFound('monitor m does not exist'), processedAt });
    expect(result).toEqual({
      ...ids,
      type: 'PauseMonitor',
      status: 'rejected',
      error: { code: 'NOT_FOUND', message: 'monitor m does not exist', details: [] },
      duplicate: false,
      processedAt: '2025-01-15T12:00:01.000Z',
    });
  });

  it('builds a rejected result from a wire rejection without tenant or type', () => {
    const commandId = randomUUID();
    const result = rejectedResult({
      commandId,
      correlationId: commandId,
      tenantId: null,
      type: null,
      error: { code: 'VALIDATION_FAILED', message: 'bad', details: [{ field: 'type', message: 'type must be a string' }] },
      processedAt,
    });
    expect(result.error.details).toEqual([{ field: 'type', message: 'type must be a string' }]);
    expect(result).toMatchObject({ tenantId: null, type: null });
  });

  it('marks a result published again as a duplicate', () => {
    const original = acceptedResult({
      commandId: randomUUID(),
      correlationId: randomUUID(),
      tenantId: randomUUID(),
      type: 'DeleteTenant',
      aggregateId: randomUUID(),
      version: 3,
      position: 'x',
      processedAt,
    });
    expect(asDuplicate(original)).toEqual({ ...original, duplicate: true });
    expect(original.duplicate).toBe(false);
  });
});
