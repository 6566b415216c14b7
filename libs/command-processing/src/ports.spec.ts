import { deterministicEventIds } from './ports';

describe('deterministicEventIds', () => {
  // Values from the SHA-1 name-based layout as first written: ids of events already in the log must not change.
  it('derives the same version-5 layout id from a command id and an event index as before', () => {
    expect(deterministicEventIds.eventId('7d4f3c1e-2b9a-4e8f-9c6d-5a1b3e7f9d2c', 0)).toBe('b3598898-1d3d-53f1-b40d-5d8fa5e969f6');
    expect(deterministicEventIds.eventId('7d4f3c1e-2b9a-4e8f-9c6d-5a1b3e7f9d2c', 1)).toBe('a663a9f3-fb58-59bb-a48f-74e4b3211aea');
  });
});
