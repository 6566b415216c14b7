import { ReadinessCache } from './readiness.cache';

describe('ReadinessCache', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('reuses a result until the window after it arrived has passed', async () => {
    const cache = new ReadinessCache(1000, clock);
    let runs = 0;
    const run = async () => ++runs;

    expect(await cache.get('db', run)).toBe(1);
    now += 999;
    expect(await cache.get('db', run)).toBe(1);
    now += 2;
    expect(await cache.get('db', run)).toBe(2);
  });

  it('shares one run in flight between concurrent callers, however long it takes', async () => {
    const cache = new ReadinessCache(1000, clock);
    let release!: (value: string) => void;
    let runs = 0;
    const run = () => {
      runs++;
      return new Promise<string>((resolve) => (release = resolve));
    };

    const first = cache.get('kafka', run);
    now += 5000;
    const second = cache.get('kafka', run);
    release('up');

    expect(await Promise.all([first, second])).toEqual(['up', 'up']);
    expect(runs).toBe(1);
  });

  it('keeps keys apart', async () => {
    const cache = new ReadinessCache(1000, clock);
    expect(await cache.get('a', async () => 'a')).toBe('a');
    expect(await cache.get('b', async () => 'b')).toBe('b');
  });
});
