import { CredentialCache } from './credential-cache';

describe('credential cache', () => {
  it('forgets entries after their time to live', () => {
    const cache = new CredentialCache<string>(1000, 10);
    cache.set('k', 'v', 0);
    expect(cache.get('k', 999)).toBe('v');
    expect(cache.get('k', 1000)).toBeUndefined();
  });

  it('drops the oldest entries beyond its size', () => {
    const cache = new CredentialCache<number>(1000, 2);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('c', 3, 0);
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([undefined, 2, 3]);
  });

  it('caches nothing with a zero time to live', () => {
    const cache = new CredentialCache<number>(0, 2);
    cache.set('a', 1, 0);
    expect(cache.get('a', 0)).toBeUndefined();
  });
});

describe('credential cache drops', () => {
  it('drops the entries that match, or all', () => {
    const cache = new CredentialCache<{ tenant: string } | null>(1000, 10);
    cache.set('a', { tenant: 't1' }, 0);
    cache.set('b', { tenant: 't2' }, 0);
    cache.set('c', null, 0);
    cache.drop((value) => value === null || value.tenant === 't1');
    expect([cache.get('a', 1), cache.get('b', 1), cache.get('c', 1)]).toEqual([undefined, { tenant: 't2' }, undefined]);
    cache.drop();
    expect(cache.get('b', 1)).toBeUndefined();
  });

  it('refuses a value looked up before a drop', () => {
    const cache = new CredentialCache<string>(1000, 10);
    const before = cache.generation;
    cache.drop(() => false);
    cache.set('k', 'stale', 0, before);
    expect(cache.get('k', 1)).toBeUndefined();
    cache.set('k', 'fresh', 0, cache.generation);
    expect(cache.get('k', 1)).toBe('fresh');
  });
});
