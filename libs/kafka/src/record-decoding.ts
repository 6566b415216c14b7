/**
 * KafkaJS 2.2.4 decodes every fetched record's headers by spreading a new object per header
 * (`reduce((obj, h) => ({ ...obj, [h.key]: h.value }))`), and computes each record's offset and
 * timestamp by parsing the batch's base from its decimal string into a Long, adding, and
 * printing the result. Events carry four headers, so on the projector's hot path that is four
 * object copies and two string parses per event, all garbage at once.
 *
 * This decoder returns a record with the same fields and values, reading the record's varints in
 * doubles (KafkaJS builds three Longs per byte of the timestamp's delta), with the batch's bases
 * parsed once per batch, and the headers decoded only when read (FetchedRecord). Whatever it
 * cannot do exactly in doubles (bases past 2^53, deltas past 49 bits), and a header named
 * `__proto__`, go to KafkaJS's own decoder, so nothing changes but the cost.
 *
 * Like record-encoding.ts it replaces a KafkaJS internal module, loaded only with the first
 * fetch, so the client factory installs it first; it checks the shape first and does nothing if
 * a KafkaJS upgrade changed it.
 */

interface Decoder {
  readonly buffer: Buffer;
  offset: number;
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
    const { buffer } = decoder;
    const start = decoder.offset;
    const { magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
    cursor = start;
    const attributes = buffer.readInt8(cursor++);
    const timestampDelta = readVarLong(buffer);
    if (timestampDelta === null) return original(decoder, batchContext);
    const offsetDelta = readVarInt(buffer);
    const key = readBytes(buffer);
    const value = readBytes(buffer);
    const headersAt = cursor;
    const headerCount = skipHeaders(buffer);
    const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : exactSum(base.timestamp, timestampDelta);
    const offset = exactSum(base.offset, offsetDelta);
    if (headerCount === null || timestamp === null || offset === null) {
      decoder.offset = start;
      return original(decoder, batchContext);
    }
    decoder.offset = cursor;
    return new FetchedRecord(
      magicByte,
      attributes,
      timestamp,
      offset,
      key,
      value,
      isControlBatch,
      batchContext,
      buffer,
      headersAt,
      headerCount,
    );
  };
}

/**
 * A record as KafkaJS's decoder returns it, with its headers read from the record's bytes only
 * when asked for: the projector never reads them unless it parks the record, and four header
 * names and values were five objects per record, kept alive while the record waits for its batch.
 */
class FetchedRecord {
  readonly #bytes: Buffer;
  readonly #headersAt: number;
  readonly #headerCount: number;
  #headers: Record<string, Buffer | null | (Buffer | null)[]> | undefined;

  constructor(
    readonly magicByte: unknown,
    readonly attributes: number,
    readonly timestamp: unknown,
    readonly offset: string,
    readonly key: Buffer | null,
    readonly value: Buffer | null,
    readonly isControlRecord: boolean,
    readonly batchContext: BatchContext,
    bytes: Buffer,
    headersAt: number,
    headerCount: number,
  ) {
    this.#bytes = bytes;
    this.#headersAt = headersAt;
    this.#headerCount = headerCount;
  }

  get headers(): Record<string, Buffer | null | (Buffer | null)[]> {
    if (this.#headers === undefined) this.#headers = readHeaders(this.#bytes, this.#headersAt, this.#headerCount);
    return this.#headers;
  }
}

/** Where the record being decoded is read next (decoding is synchronous, one record at a time). */
let cursor = 0;

/** A zig-zag varint, as KafkaJS's Decoder.readVarInt reads it. */
function readVarInt(buffer: Buffer): number {
  let byte: number;
  let result = 0;
  let shift = 0;
  do {
    byte = buffer[cursor++];
    result += (byte & 0x7f) << shift;
    shift += 7;
  } while (byte >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** A zig-zag varlong in a double, or null past seven bytes (49 bits: beyond them a double may not be exact). */
function readVarLong(buffer: Buffer): number | null {
  let byte: number;
  let result = 0;
  let scale = 1;
  let bytes = 0;
  do {
    if (++bytes > 7) return null;
    byte = buffer[cursor++];
    result += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte >= 0x80);
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}

function readBytes(buffer: Buffer): Buffer | null {
  const length = readVarInt(buffer);
  if (length === -1) return null;
  const bytes = buffer.subarray(cursor, cursor + length);
  cursor += length;
  return bytes;
}

/** `__proto__` as UTF-8: a header of that name is left to KafkaJS's decoder. */
const PROTO = Buffer.from('__proto__');

/**
 * Moves past the headers; their count, or null when one is named `__proto__` or they run past the
 * record's bytes (a corrupt count would otherwise loop up to 2^31 times here): KafkaJS's decoder
 * then answers as it would.
 */
function skipHeaders(buffer: Buffer): number | null {
  const count = readVarInt(buffer);
  if (count === -1) return 0;
  let named__proto__ = false;
  for (let i = 0; i < count; i++) {
    if (cursor >= buffer.length) return null;
    const nameLength = readVarInt(buffer);
    if (nameLength === PROTO.length && PROTO.equals(buffer.subarray(cursor, cursor + nameLength))) named__proto__ = true;
    cursor += Math.max(nameLength, 0);
    const valueLength = readVarInt(buffer);
    cursor += Math.max(valueLength, 0);
  }
  return named__proto__ ? null : count;
}

/** The headers as KafkaJS builds them: a repeated name's values in an array, in record order. */
function readHeaders(buffer: Buffer, at: number, count: number): Record<string, Buffer | null | (Buffer | null)[]> {
  const headers: Record<string, Buffer | null | (Buffer | null)[]> = {};
  cursor = at;
  readVarInt(buffer); // the count, already known
  for (let i = 0; i < count; i++) {
    const nameLength = readVarInt(buffer);
    const name = nameLength === -1 ? 'null' : buffer.toString('utf8', cursor, cursor + nameLength);
    cursor += Math.max(nameLength, 0);
    const one = readBytes(buffer);
    const seen = headers[name];
    headers[name] = seen === undefined ? one : Array.isArray(seen) ? seen.concat([one]) : [seen, one];
  }
  return headers;
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
