import { hash } from 'node:crypto';

/**
 * Event ids derived from the command id and the event's index (a name-based UUID, version 5
 * layout over SHA-1). Re-processing a command after an aborted transaction yields the same ids,
 * so a consumer can de-duplicate by eventId even across the processor's crash recovery.
 */
export interface EventIdGenerator {
  eventId(commandId: string, index: number): string;
}
export const EVENT_IDS = Symbol('EVENT_IDS');
export const deterministicEventIds: EventIdGenerator = {
  eventId(commandId, index) {
    // The one-shot hash: no Hash object per event on the hot path.
    const bytes = hash('sha1', `vinsight-event:${commandId}:${index}`, 'buffer').subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};
