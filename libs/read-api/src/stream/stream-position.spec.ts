import { decodeConsistencyToken } from '@vinsight/contracts';
import { decodeStreamPosition, encodeStreamPosition } from './stream-position';

describe('stream positions (the id: of GET /v1/stream)', () => {
  it('are consistency tokens of the partition and the last offsets passed on both topics', () => {
    const id = encodeStreamPosition({ partition: 3, events: 120n, checks: 7n });
    expect(decodeConsistencyToken(id)).toEqual({ partition: 3, eventsOffset: '120', checkEventsOffset: '7' });
    expect(decodeStreamPosition(id)).toEqual({ partition: 3, events: 120n, checks: 7n });
  });

  it('leave out a topic nothing was passed on yet, and read it back as before offset 0', () => {
    const id = encodeStreamPosition({ partition: 0, events: -1n, checks: 4n });
    expect(decodeConsistencyToken(id)).toEqual({ partition: 0, checkEventsOffset: '4' });
    expect(decodeStreamPosition(id)).toEqual({ partition: 0, events: -1n, checks: 4n });
  });

  it('name a record with some of its events sent as <token>.<sent>, whose token is the record', () => {
    const position = { partition: 1, events: 41n, checks: -1n, partial: { offset: 42n, sent: 1 } };
    const id = encodeStreamPosition(position);
    expect(id).toMatch(/\.1$/);
    expect(decodeConsistencyToken(id.split('.')[0])).toEqual({ partition: 1, eventsOffset: '42' });
    expect(decodeStreamPosition(id)).toEqual(position);
  });

  it.each(['', 'garbage!', 'djEucTM', `${encodeStreamPosition({ partition: 1, events: 4n, checks: 1n })}.0`, 'a.b.c'])(
    'refuse %p',
    (id) => {
      expect(decodeStreamPosition(id)).toBeNull();
    },
  );

  it('refuse a partial position without an events offset', () => {
    const id = encodeStreamPosition({ partition: 2, events: -1n, checks: 9n });
    expect(decodeStreamPosition(`${id}.1`)).toBeNull();
  });
});
