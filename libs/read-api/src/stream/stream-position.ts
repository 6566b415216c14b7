import { decodeConsistencyToken, encodeConsistencyToken } from '@vinsight/contracts';

/**
 * A stream event's `id:`: the position of the record it came from, as a consistency token (the
 * tenant's partition and the last offsets on `events` and `check-events` the stream has passed),
 * so `GET /v1/...` with `X-Consistency-Token: <id>` shows at least what the event told. One record
 * can bring two events (a status change that opens an incident): the first is sent as
 * `<token>.1`, "the record at <token> less its events after the first", the last as `<token>`.
 */
export interface StreamPosition {
  partition: number;
  /** Last offset passed on `events`; -1n before the first. */
  events: bigint;
  /** Last offset passed on `check-events`; -1n before the first. */
  checks: bigint;
  /**
   * Only records of `events` bring more than one event: the record at `partial.offset` had its
   * first `sent` events sent, not the rest (`events` is then `partial.offset - 1n`).
   */
  partial?: { offset: bigint; sent: number };
}

export function encodeStreamPosition(position: StreamPosition): string {
  const events = position.partial ? position.partial.offset : position.events;
  const token = encodeConsistencyToken({
    partition: position.partition,
    ...(events >= 0n && { eventsOffset: events.toString() }),
    ...(position.checks >= 0n && { checkEventsOffset: position.checks.toString() }),
  });
  return position.partial ? `${token}.${position.partial.sent}` : token;
}

/** Null for anything that is not an id this API sent. */
export function decodeStreamPosition(id: string): StreamPosition | null {
  const [token, sent, ...rest] = id.trim().split('.');
  if (rest.length > 0 || token === undefined) return null;
  const decoded = decodeConsistencyToken(token);
  if (!decoded) return null;
  const position: StreamPosition = {
    partition: decoded.partition,
    events: decoded.eventsOffset === undefined ? -1n : BigInt(decoded.eventsOffset),
    checks: decoded.checkEventsOffset === undefined ? -1n : BigInt(decoded.checkEventsOffset),
  };
  if (sent === undefined) return position;
  if (!/^[1-9]$/.test(sent)) return null;
  if (position.events < 0n) return null;
  return { ...position, events: position.events - 1n, partial: { offset: position.events, sent: Number(sent) } };
}
