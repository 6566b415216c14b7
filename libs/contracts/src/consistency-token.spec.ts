import { decodeConsistencyToken, encodeConsistencyToken } from './consistency-token';

describe('consistency token', () => {
  it('round-trips a position', () => {
    const position = { partition: 7, eventsOffset: '12345', checkEventsOffset: '9007199254740993' };
    expect(decodeConsistencyToken(encodeConsistencyToken(position))).toEqual(position);
    expect(decodeConsistencyToken(encodeConsistencyToken({ partition: 0, eventsOffset: '3' }))).toEqual({
      partition: 0,
      eventsOffset: '3',
    });
  });

  it('still decodes tokens issued before positions covered every result', () => {
    expect(decodeConsistencyToken('djEucDMuZTEwLmM3')).toEqual({ partition: 3, eventsOffset: '10', checkEventsOffset: '7' });
    expect(decodeConsistencyToken('djEucDM')).toEqual({ partition: 3 });
  });

  it.each([
    '',
    'not base64!',
    Buffer.from('v2.p1').toString('base64url'),
    Buffer.from('v1.e5').toString('base64url'),
    Buffer.from('v1.p1.p2').toString('base64url'),
    Buffer.from('v1.p1.x9').toString('base64url'),
    'a'.repeat(300),
  ])('rejects %p', (token) => {
    expect(decodeConsistencyToken(token)).toBeNull();
  });
});
