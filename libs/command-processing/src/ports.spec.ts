import { createHash } from 'node:crypto';
import { deterministicEventIds } from './ports';

/** The layout as first written, from the digest's bytes: what every id in the log was made with. */
function idFromBytes(commandId: string, index: number): string {
  const bytes = createHash('sha1').update(`vinsight-event:${commandId}:${index}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('deterministicEventIds', () => {
  // Values from the SHA-1 name-based layout as first written: ids of events already in the log must not change.
  it('derives the same version-5 layout id from a command id and an event index as before', () => {
    expect(deterministicEventIds.eventId('7d4f3c1e-2b9a-4e8f-9c6d-5a1b3e7f9d2c', 0)).toBe('b3598898-1d3d-53f1-b40d-5d8fa5e969f6');
    expect(deterministicEventIds.eventId('7d4f3c1e-2b9a-4e8f-9c6d-5a1b3e7f9d2c', 1)).toBe('a663a9f3-fb58-59bb-a48f-74e4b3211aea');
  });

  it('sets the version and variant as the byte layout does, whatever the digest holds there', () => {
    const variants = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      const commandId = `command-${n}`;
      const id = deterministicEventIds.eventId(commandId, n % 3);
      expect(id).toBe(idFromBytes(commandId, n % 3));
      variants.add(id[19]);
    }
    expect([...variants].sort()).toEqual(['8', '9', 'a', 'b']);
  });
});
