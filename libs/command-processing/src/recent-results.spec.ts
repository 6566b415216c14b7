import { randomUUID } from 'node:crypto';
import { acceptedResult, CommandResult, encodeConsistencyToken, rejectedResult } from '@vinsight/contracts';
import { RecentResults } from './recent-results';

const processedAt = new Date('2026-12-03T10:00:00.123Z');

function accepted(overrides: Partial<Parameters<typeof acceptedResult>[0]> = {}): CommandResult {
  const commandId = overrides.commandId ?? randomUUID();
  return acceptedResult({
    commandId,
    correlationId: commandId,
    tenantId: randomUUID(),
    type: 'RecordCheckResult',
    aggregateId: randomUUID(),
    version: 3,
    position: encodeConsistencyToken({ partition: 7, checkEventsOffset: '123456789012' }),
    processedAt,
    ...overrides,
  });
}

function rejected(commandId: string): CommandResult {
  return rejectedResult({
    commandId,
    correlationId: commandId,
    tenantId: null,
    type: null,
    error: { code: 'VALIDATION_FAILED', message: 'payload.name must be text', details: [{ field: 'payload.name', message: 'too long' }] },
    processedAt,
  });
}

describe('RecentResults', () => {
  it('gives back exactly the result it was given, whatever its shape', () => {
    const results = new RecentResults(100);
    const samples = [
      accepted(),
      accepted({ position: encodeConsistencyToken({ partition: 11, eventsOffset: '0', checkEventsOffset: '9007199254740991' }) }),
      accepted({ position: encodeConsistencyToken({ partition: 0, eventsOffset: '42' }), type: 'CreateMonitor', version: 1 }),
      accepted({ correlationId: randomUUID() }),
      accepted({ commandId: randomUUID().toUpperCase() }),
      accepted({ commandId: 'not-a-uuid' }),
      accepted({ position: encodeConsistencyToken({ partition: 1, eventsOffset: '99999999999999999999'.slice(0, 19) }) }),
      accepted({ position: 'opaque-token-of-another-format' }),
      rejected(randomUUID()),
      rejected('retry-7'),
    ];
    for (const sample of samples) results.remember(sample);
    for (const sample of samples) expect(results.get(sample.commandId)).toStrictEqual(sample);
    expect(results.get(randomUUID())).toBeUndefined();
    expect(results.get('not-a-uuid-either')).toBeUndefined();
    expect(results.size).toBe(samples.length);
  });

  it('gives back the same result when told what the result was made from', () => {
    const positions = [
      { partition: 7, checkEventsOffset: '123456789012' },
      { partition: 11, eventsOffset: '0', checkEventsOffset: '9007199254740991' },
      { partition: 1, eventsOffset: '9999999999999999999' },
    ];
    const results = new RecentResults(10);
    const samples = positions.map((position) => ({ result: accepted({ position: encodeConsistencyToken(position) }), position }));
    for (const { result, position } of samples) results.remember(result, { position, processedAt });
    for (const { result } of samples) expect(results.get(result.commandId)).toStrictEqual(result);
  });

  it('forgets the oldest result once full, and only it', () => {
    const results = new RecentResults(1000);
    const all = Array.from({ length: 2500 }, () => accepted());
    for (const [i, result] of all.entries()) {
      results.remember(result);
      if (i % 100 === 0) expect(results.size).toBe(Math.min(i + 1, 1000));
    }
    expect(results.size).toBe(1000);
    for (const result of all.slice(0, 1500)) expect(results.get(result.commandId)).toBeUndefined();
    for (const result of all.slice(1500)) expect(results.get(result.commandId)).toStrictEqual(result);
  });

  it('lists its results oldest first, as a snapshot stores them', () => {
    const results = new RecentResults(3);
    const all = [accepted(), rejected('r-1'), accepted(), accepted(), rejected('r-2')];
    for (const result of all) results.remember(result);
    expect([...results.values()]).toStrictEqual(all.slice(2));
    const reloaded = new RecentResults(3);
    for (const result of results.values()) reloaded.remember(result);
    expect([...reloaded.values()]).toStrictEqual(all.slice(2));
  });

  it('keeps finding every id while probe chains form, wrap around and lose members', () => {
    // 64 results in 128 index cells: chains of colliding ids are common, and every insertion
    // past the first 64 removes the oldest id from the middle of some chain.
    const results = new RecentResults(64);
    const colliding = Array.from({ length: 2000 }, (_, i) =>
      accepted(i % 2 ? {} : { commandId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}` }),
    );
    colliding.forEach((result, i) => {
      results.remember(result);
      if (i % 25 !== 0 && i !== colliding.length - 1) return;
      for (const kept of colliding.slice(Math.max(0, i - 63), i + 1)) expect(results.get(kept.commandId)).toStrictEqual(kept);
      for (const gone of colliding.slice(Math.max(0, i - 263), Math.max(0, i - 63))) expect(results.get(gone.commandId)).toBeUndefined();
    });
  });

  it('updates a result remembered twice in place instead of holding it twice', () => {
    const results = new RecentResults(10);
    const first = accepted();
    results.remember(first);
    const again = { ...first, version: 4 };
    results.remember(again);
    expect(results.size).toBe(1);
    expect(results.get(first.commandId)).toStrictEqual(again);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RecentResults(0)).toThrow(/capacity/);
    expect(() => new RecentResults(1.5)).toThrow(/capacity/);
  });
});
