import { RETAIN_FOREVER, TOPIC_RETENTION_MS } from './topic-retention';

const days = (n: number) => n * 24 * 60 * 60 * 1000;

describe('TOPIC_RETENTION_MS', () => {
  it('keeps the defaults of the contract', () => {
    expect(TOPIC_RETENTION_MS).toEqual({
      commands: days(7),
      commandResults: days(7),
      events: RETAIN_FOREVER,
      checkEvents: days(30),
      commandsDlq: days(30),
    });
    expect(RETAIN_FOREVER).toBe(-1);
  });
});
