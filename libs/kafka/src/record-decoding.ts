/**
 * KafkaJS 2.2.4 decodes every fetched record's headers by spreading a new object per header
 * (`reduce((obj, h) => ({ ...obj, [h.key]: h.value }))`), and computes each record's offset and
 * timestamp by parsing the batch's base from its decimal string into a Long, adding, and
 * printing the result. Events carry four headers, so on the projector's hot path that is four
 * object copies and two string parses per event, all garbage at once.
 *
 * This decoder returns the same record object (same fields, same values), building the headers
 * in one object and doing the arithmetic in doubles, with the batch's bases parsed once per
 * batch. Whatever it cannot do exactly in doubles (bases past 2^53), and a header named
 * `__proto__`, go to KafkaJS's own decoder, so nothing changes but the cost.
 *
 * Like record-encoding.ts it replaces a KafkaJS internal module, loaded only with the first
 * fetch, so the client factory installs it first; it checks the shape first and does nothing if
 * a KafkaJS upgrade changed it.
 */

interface Decoder {
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarLong(): { toNumber(): number };
  readVarIntBytes(): Buffer | null;
  readVarIntString(): string | null;
}

interface BatchContext {
  firstOffset?: unknown;
  firstTimestamp?: unknown;
  magicByte?: unknown;
  isControlBatch?: boolean;
  timestampType?: unknown;
  maxTimestamp?: unknown;
}

type RecordDecoder = (decoder: Decoder, batchContext?: BatchContext) => unknown;

/** The timestamp type whose records all carry the batch's max timestamp (KafkaJS's TimestampTypes). */
const LOG_APPEND_TIME = 1;

let installed: boolean | undefined;

/** Installs the record decoder once per process; returns whether KafkaJS had the expected shape. */
export function installRecordDecoding(): boolean {
  if (installed !== undefined) return installed;
  // KafkaJS's internals have no typed entry point.
  const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder');
  const batchPath = require.resolve('kafkajs/src/protocol/recordBatch/v0/decoder');
  const timestampTypes = require('kafkajs/src/protocol/timestampTypes') as { LOG_APPEND_TIME?: unknown };
  const original = require(recordPath) as RecordDecoder;
  const cached = require.cache[recordPath];
  installed =
    typeof original === 'function' &&
    cached !== undefined &&
    timestampTypes.LOG_APPEND_TIME === LOG_APPEND_TIME &&
    // Too late: the batch decoder already holds KafkaJS's record decoder.
    require.cache[batchPath] === undefined;
  if (!installed) return false;
  cached!.exports = recordDecoder(original);
  return true;
}

/** The record decoder, falling back to `original` for what it does not decode itself (exported for its test). */
export function recordDecoder(original: RecordDecoder): RecordDecoder {
  const bases = new WeakMap<BatchContext, { offset: number; timestamp: number } | null>();
  const baseOf = (context: BatchContext) => {
    let base = bases.get(context);
    if (base === undefined) {
      const offset = safeInteger(context.firstOffset);
      const timestamp = safeInteger(context.firstTimestamp);
      base = offset === null || timestamp === null ? null : { offset, timestamp };
      bases.set(context, base);
    }
    return base;
  };
  return (decoder, batchContext = {}) => {
    const base = baseOf(batchContext);
    if (base === null) return original(decoder, batchContext);
    const start = decoder.offset;
    const { magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
    const attributes = decoder.readInt8();
    const timestampDelta = decoder.readVarLong().toNumber();
    const offsetDelta = decoder.readVarInt();
    const key = decoder.readVarIntBytes();
    const value = decoder.readVarIntBytes();
    const count = decoder.readVarInt();
    const headers: Record<string, Buffer | null | (Buffer | null)[]> = {};
    for (let i = 0; i < count; i++) {
      const name = decoder.readVarIntString() as string;
      const one = decoder.readVarIntBytes();
      if (name === '__proto__') {
        decoder.offset = start;
        return original(decoder, batchContext);
      }
      const seen = headers[name];
      headers[name] = seen === undefined ? one : Array.isArray(seen) ? seen.concat([one]) : [seen, one];
    }
    const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : exactSum(base.timestamp, timestampDelta);
    const offset = exactSum(base.offset, offsetDelta);
    if (timestamp === null || offset === null) {
      decoder.offset = start;
      return original(decoder, batchContext);
    }
    return {
      magicByte,
      attributes,
      timestamp,
      offset,
      key,
      value,
      headers,
      isControlRecord: isControlBatch,
      batchContext,
    };
  };
}

/** A decimal string (or number) as a double, when the double is exactly that integer. */
function safeInteger(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(number) && (typeof value === 'number' || String(number) === value) ? number : null;
}

function exactSum(a: number, b: number): string | null {
  const sum = a + b;
  return Number.isSafeInteger(sum) && Number.isSafeInteger(b) ? String(sum) : null;
}
