import { toDeadLetter } from './dead-letter';

describe('dead letters', () => {
  const failedAt = new Date('2025-01-15T12:00:00.000Z');

  it('keeps the key, the value in base64, every header, the source and the reason', () => {
    const value = Buffer.from([0x7b, 0xff, 0x00]);
    const letter = toDeadLetter({
      key: Buffer.from('tenant-1'),
      value,
      headers: {
        traceparent: Buffer.from('00-abc'),
        binary: Buffer.from([0xc3, 0x28]),
        repeated: ['a', Buffer.from('b')],
        empty: undefined,
      },
      sourceTopic: 'vinsight.commands',
      partition: 3,
      offset: '9007199254740993',
      reason: 'the value is not valid UTF-8',
      failedAt,
    });
    expect(letter).toEqual({
      key: { encoding: 'utf8', data: 'tenant-1' },
      value: value.toString('base64'),
      headers: [
        { key: 'traceparent', value: { encoding: 'utf8', data: '00-abc' } },
        { key: 'binary', value: { encoding: 'base64', data: 'wyg=' } },
        { key: 'repeated', value: { encoding: 'utf8', data: 'a' } },
        { key: 'repeated', value: { encoding: 'utf8', data: 'b' } },
        { key: 'empty', value: null },
      ],
      sourceTopic: 'vinsight.commands',
      partition: 3,
      offset: '9007199254740993',
      reason: 'the value is not valid UTF-8',
      failedAt: '2025-01-15T12:00:00.000Z',
    });
    expect(Buffer.from(letter.value ?? '', 'base64')).toEqual(value);
  });

  it('keeps a missing key and a tombstone as null', () => {
    const letter = toDeadLetter({ key: null, value: null, sourceTopic: 't', partition: 0, offset: '0', reason: 'tombstone', failedAt });
    expect(letter).toMatchObject({ key: null, value: null, headers: [] });
  });

  it('base64-encodes a key that is not UTF-8', () => {
    const letter = toDeadLetter({
      key: Buffer.from([0xff]),
      value: null,
      sourceTopic: 't',
      partition: 0,
      offset: '1',
      reason: 'r',
      failedAt,
    });
    expect(letter.key).toEqual({ encoding: 'base64', data: '/w==' });
  });
});
