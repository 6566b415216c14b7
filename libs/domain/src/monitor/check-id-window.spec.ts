import { CheckIdWindow } from './check-id-window';

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `c${from + i}`);

describe('CheckIdWindow', () => {
  it('keeps the last ids up to its capacity, oldest first, and finds exactly those', () => {
    const window = CheckIdWindow.of(3, ids(5));
    expect(window.toArray()).toEqual(['c2', 'c3', 'c4']);
    expect(window.size).toBe(3);
    expect(['c0', 'c1', 'c2', 'c3', 'c4', 'c5'].map((id) => window.has(id))).toEqual([false, false, true, true, true, false]);
  });

  it('is itself when given an id it holds', () => {
    const window = CheckIdWindow.of(3, ids(2));
    expect(window.with('c0')).toBe(window);
    expect(window.with('c1').toArray()).toEqual(['c0', 'c1']);
  });

  it('takes an id again once it has dropped out', () => {
    const window = CheckIdWindow.of(2, ['a', 'b', 'c']).with('a');
    expect(window.toArray()).toEqual(['c', 'a']);
    expect(window.has('a')).toBe(true);
    expect(window.has('b')).toBe(false);
  });

  it('never changes a window it was derived from', () => {
    const base = CheckIdWindow.of(3, ids(2));
    const first = base.with('x');
    const second = base.with('y');
    expect(base.toArray()).toEqual(['c0', 'c1']);
    expect(first.toArray()).toEqual(['c0', 'c1', 'x']);
    expect(second.toArray()).toEqual(['c0', 'c1', 'y']);
    expect([base.has('x'), base.has('y'), first.has('y'), second.has('x')]).toEqual([false, false, false, false]);
    expect(first.with('y').toArray()).toEqual(['c1', 'x', 'y']);
    expect(second.with('x').toArray()).toEqual(['c1', 'y', 'x']);
  });

  it('finds an id of an older window that a newer one appended again after it dropped out', () => {
    const older = CheckIdWindow.of(2, ['a', 'b']);
    const newer = older.with('c').with('d').with('a');
    expect(newer.toArray()).toEqual(['d', 'a']);
    expect(older.has('a')).toBe(true);
    expect(older.with('z').toArray()).toEqual(['b', 'z']);
  });

  it('holds the same ids whatever the number of appends (the shared log restarts)', () => {
    let window = CheckIdWindow.empty(100);
    const all = ids(1000);
    for (const id of all) window = window.with(id);
    expect(window.toArray()).toEqual(all.slice(900));
    expect(window.has('c899')).toBe(false);
    expect(window.has('c900')).toBe(true);
  });

  it('serialises to its ids, oldest first, and spreads the same', () => {
    const window = CheckIdWindow.of(3, ids(4));
    expect(JSON.parse(JSON.stringify({ window })) as unknown).toEqual({ window: ['c1', 'c2', 'c3'] });
    expect([...window]).toEqual(['c1', 'c2', 'c3']);
  });
});
