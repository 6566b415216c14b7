import { StatementNames } from './named-statements';

describe('StatementNames', () => {
  it('gives a text the same name every time, and different texts different names', () => {
    const names = new StatementNames();
    const first = names.nameOf('SELECT $1::int');
    expect(first).toMatch(/^vi_[0-9a-f]{24}$/);
    expect(names.nameOf('SELECT $1::int')).toBe(first);
    expect(new StatementNames().nameOf('SELECT $1::int')).toBe(first);
    expect(names.nameOf('SELECT $1::text')).not.toBe(first);
  });

  it('names at most its bound of texts, and keeps naming those it already named', () => {
    const names = new StatementNames(2);
    const a = names.nameOf('a');
    const b = names.nameOf('b');
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(names.nameOf('c')).toBeUndefined();
    expect(names.nameOf('a')).toBe(a);
  });
});
