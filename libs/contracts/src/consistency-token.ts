/**
 * The `position` of a command result, sent back by callers as `X-Consistency-Token`. Opaque to
 * callers; to us it names the Kafka partition and the partition's last offsets on `events` and
 * `check-events` once the command was decided: every record the processor wrote on the partition
 * up to and including that command, whatever its outcome. The read models include a position
 * once, for that partition, the projection's checkpoint (next offset to apply) is past both
 * offsets. Tokens live in callers' hands: every `v1` token ever issued must keep decoding, with
 * the same meaning.
 */
export interface ConsistencyPosition {
  partition: number;
  /** Last offset on `events` the position covers; absent when the partition has none. */
  eventsOffset?: string;
  /** Last offset on `check-events` the position covers; absent when the partition has none. */
  checkEventsOffset?: string;
}

const OFFSET = /^\d{1,19}$/;

export function encodeConsistencyToken(position: ConsistencyPosition): string {
  const parts = [`p${position.partition}`];
  if (position.eventsOffset !== undefined) parts.push(`e${position.eventsOffset}`);
  if (position.checkEventsOffset !== undefined) parts.push(`c${position.checkEventsOffset}`);
  return Buffer.from(`v1.${parts.join('.')}`, 'utf8').toString('base64url');
}

/** Returns null for anything that is not a token we issued (the API answers 400). */
export function decodeConsistencyToken(token: string): ConsistencyPosition | null {
  if (token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const [version, ...parts] = text.split('.');
  if (version !== 'v1' || parts.length === 0) return null;
  const position: Partial<ConsistencyPosition> = {};
  for (const part of parts) {
    const kind = part[0];
    const value = part.slice(1);
    if (kind === 'p' && /^\d{1,5}$/.test(value) && position.partition === undefined) position.partition = Number(value);
    else if (kind === 'e' && OFFSET.test(value) && position.eventsOffset === undefined) position.eventsOffset = value;
    else if (kind === 'c' && OFFSET.test(value) && position.checkEventsOffset === undefined) position.checkEventsOffset = value;
    else return null;
  }
  return position.partition === undefined ? null : (position as ConsistencyPosition);
}
