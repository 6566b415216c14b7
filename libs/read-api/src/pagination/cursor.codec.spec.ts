import { ValidationFailedError } from '../errors/read-api.errors';
import { decodeCursor, encodeCursor, toPage } from './cursor.codec';

const key = { at: new Date('2026-01-15T10:20:30.123Z'), id: '0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f11' };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('keyset cursors', () => {
  it('round-trips the key of its own list', () => {
    const cursor = encodeCursor('monitors', key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('monitors', cursor)).toEqual(key);
    expect(decodeCursor('monitors', undefined)).toBeUndefined();
  });

  it.each([
    ['a cursor of another list', encodeCursor('users', key)],
    ['not base64 JSON', 'bm90IGpzb24'],
    ['a wrong shape', encode({ at: key.at, id: key.id })],
    ['a non-canonical time', encode(['monitors', '2026-01-15T10:20:30Z', key.id])],
    ['an impossible time', encode(['monitors', '2026-02-30T10:20:30.000Z', key.id])],
    ['an upper-case id', encode(['monitors', key.at.toISOString(), key.id.toUpperCase()])],
    ['SQL in the id', encode(['monitors', key.at.toISOString(), "x' OR '1'='1"])],
    ['extra parts', encode(['monitors', key.at.toISOString(), key.id, 1])],
  ])('refuses %s with a field error', (_, cursor) => {
    expect(() => decodeCursor('monitors', cursor)).toThrow(ValidationFailedError);
    try {
      decodeCursor('monitors', cursor);
    } catch (error) {
      expect((error as ValidationFailedError).errors).toEqual([{ field: 'cursor', message: 'is not a cursor of this list' }]);
    }
  });

  it('uses the extra row only to know that another page exists', () => {
    const rows = [1, 2, 3].map((n) => ({ at: new Date(n * 1000), id: `0d3f6a8e-0c5e-4b5e-9d7f-5c2b1a0e9f1${n}` }));
    const page = toPage(
      rows,
      2,
      'users',
      (row) => row,
      (row) => row.id,
    );
    expect(page.data).toEqual([rows[0].id, rows[1].id]);
    expect(decodeCursor('users', page.nextCursor!)).toEqual(rows[1]);
    expect(
      toPage(
        rows,
        3,
        'users',
        (row) => row,
        (row) => row.id,
      ).nextCursor,
    ).toBeNull();
  });
});
