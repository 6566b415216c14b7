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

/** The hex digit of the variant (binary 10xx) that replaces each hex digit of the hash at its place. */
const VARIANT_DIGIT: Readonly<Record<string, string>> = Object.fromEntries(
  [...'0123456789abcdef'].map((digit) => [digit, ((parseInt(digit, 16) & 0x3) | 0x8).toString(16)]),
);

export const deterministicEventIds: EventIdGenerator = {
  eventId(commandId, index) {
    // The one-shot hash straight to hex, the version and variant set in the text: no Hash object or Buffer per event.
    const hex = hash('sha1', `vinsight-event:${commandId}:${index}`);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${VARIANT_DIGIT[hex[16]]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  },
};
