import { ConsistencyPosition } from '@vinsight/contracts';
import { BaseOffsets } from '@vinsight/kafka';

/** Records a slice had written on each event topic once a command of it was decided (that command's included). */
export interface WrittenSoFar {
  readonly events: number;
  readonly checks: number;
}

export interface PositionInputs {
  readonly partition: number;
  readonly topics: { readonly events: string; readonly checkEvents: string };
  /** Offset of the first record of the slice's transaction on each topic it writes. */
  readonly bases: BaseOffsets;
  /** Committed state before the slice: next offset on each topic (past the last transaction's marker). */
  readonly committedNext: ReadonlyMap<string, bigint>;
}

/**
 * The position of a command's result: the partition's last offsets on `events` and
 * `check-events` once that command was decided, whatever it wrote (accepted, rejected, duplicate
 * or no-op alike). It covers every record the processor wrote on the partition up to and
 * including the command, so positions only grow along a partition, and a read with any result's
 * token includes everything the caller did before it on that tenant.
 *
 * With nothing of the slice written yet on a topic, the last offset is the committed one: that
 * of the previous transaction's marker, which the projector's checkpoint moves past like any
 * record (a marker carries no data, so including it costs nothing). A topic never written on
 * this partition has no offset: there is nothing there to wait for.
 */
export function resultPosition(inputs: PositionInputs, written: WrittenSoFar): ConsistencyPosition {
  const position: ConsistencyPosition = { partition: inputs.partition };
  const events = lastOffset(inputs, inputs.topics.events, written.events);
  const checks = lastOffset(inputs, inputs.topics.checkEvents, written.checks);
  if (events !== undefined) position.eventsOffset = events.toString();
  if (checks !== undefined) position.checkEventsOffset = checks.toString();
  return position;
}

function lastOffset(inputs: PositionInputs, topic: string, written: number): bigint | undefined {
  if (written > 0) {
    const base = inputs.bases.get(topic);
    if (base === undefined) throw new Error(`no base offset for ${topic}`);
    return base + BigInt(written) - 1n;
  }
  const next = inputs.committedNext.get(topic) ?? 0n;
  return next > 0n ? next - 1n : undefined;
}
