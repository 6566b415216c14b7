/**
 * KafkaJS 2.2.4 encodes each record of a produce request into its own Encoder, which starts
 * with a zero-filled 512-byte Buffer.alloc, and each of the record's headers into another one
 * that is then copied into it; the record batch then grows its buffer by doubling, zero-filling
 * every new buffer and copying the old one into it. The command processor writes two records
 * with five headers per command, so that is seven fresh ArrayBuffers and a dozen copies per
 * command, which made record encoding the processor's largest own cost after JSON.
 *
 * This writes each record with the same bytes into one buffer of its exact size taken from
 * Node's shared pool (no zero-fill: every byte is written), and lets encoders grow without
 * zero-filling (bytes past an encoder's offset are never read: `buffer` ends at the offset).
 * Records it does not know how to encode (a Long timestamp delta, a header value that is not a
 * string or Buffer) go to KafkaJS's own encoder.
 *
 * It replaces a KafkaJS internal module (not part of its typed API), loaded only when a
 * producer sends its first request, so it must be installed before any produce: the client
 * factory does it. It checks the shape first and does nothing if a KafkaJS upgrade changed it.
 */

type Bytes = Buffer | string | null | undefined;
type HeaderValue = Bytes | Bytes[];

interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: unknown;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, HeaderValue>;
}

interface EncoderLike {
  buf: Buffer;
  offset: number;
}

type EncoderClass = { prototype: EncoderLike & Record<string, unknown>; nextPowerOfTwo(value: number): number };
type RecordEncoder = (record: RecordInput) => EncoderLike;

/** Largest value whose zigzag form (2|v|) stays an exact double. */
const MAX_SAFE_ZIGZAG = Number.MAX_SAFE_INTEGER / 2;

let installed: boolean | undefined;

/** Installs the record encoder once per process; returns whether KafkaJS had the expected shape. */
export function installRecordEncoding(): boolean {
  if (installed !== undefined) return installed;
  // KafkaJS's internals have no typed entry point.
  const encoderPath = require.resolve('kafkajs/src/protocol/encoder');
  const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0');
  const producePath = require.resolve('kafkajs/src/protocol/requests/produce/v3/request');
  const Encoder = require(encoderPath) as EncoderClass;
  const original = require(recordPath) as RecordEncoder;
  const cached = require.cache[recordPath];
  installed =
    typeof original === 'function' &&
    cached !== undefined &&
    typeof Encoder.nextPowerOfTwo === 'function' &&
    typeof Encoder.prototype.ensureAvailable === 'function' &&
    // Too late: the produce request already holds KafkaJS's record encoder.
    require.cache[producePath] === undefined;
  if (!installed) return false;

  Encoder.prototype.ensureAvailable = function (this: EncoderLike, length: number) {
    if (this.offset + length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }
  };
  cached!.exports = (record: RecordInput): EncoderLike => {
    const bytes = encodeRecord(record);
    if (bytes === undefined) return original(record);
    const encoder = Object.create(Encoder.prototype) as EncoderLike;
    encoder.buf = bytes;
    encoder.offset = bytes.length;
    return encoder;
  };
  return true;
}

interface Header {
  key: string;
  value: Buffer | string;
}

/**
 * A record in Kafka's v2 record format (KIP-98): length, attributes, timestamp delta, offset
 * delta, key, value and headers, lengths as zigzag varints. Undefined for what only KafkaJS's
 * encoder handles.
 */
export function encodeRecord({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: RecordInput): Buffer | undefined {
  if (typeof timestampDelta !== 'number' || Math.abs(timestampDelta) > MAX_SAFE_ZIGZAG || !Number.isInteger(timestampDelta))
    return undefined;
  if (!isBytes(key) || !isBytes(value)) return undefined;
  const list: Header[] = [];
  for (const name of Object.keys(headers)) {
    const entry = headers[name];
    for (const one of Array.isArray(entry) ? entry : [entry]) {
      // KafkaJS fails on a null or undefined header value: leave that failure to it.
      if (one === null || one === undefined || !isBytes(one)) return undefined;
      list.push({ key: name, value: one });
    }
  }
  let body = 1 + varintSize(zigzag(timestampDelta)) + varintSize(zigzag(offsetDelta)) + bytesSize(key) + bytesSize(value);
  body += varintSize(zigzag(list.length));
  for (const header of list) body += bytesSize(header.key) + bytesSize(header.value);

  const out = Buffer.allocUnsafe(varintSize(zigzag(body)) + body);
  let at = writeVarint(out, 0, zigzag(body));
  out[at++] = 0; // attributes: none are used on records
  at = writeVarint(out, at, zigzag(timestampDelta));
  at = writeVarint(out, at, zigzag(offsetDelta));
  at = writeBytes(out, at, key);
  at = writeBytes(out, at, value);
  at = writeVarint(out, at, zigzag(list.length));
  for (const header of list) {
    at = writeBytes(out, at, header.key);
    at = writeBytes(out, at, header.value);
  }
  return out;
}

const isBytes = (value: unknown): value is Buffer | string | null | undefined =>
  value === null || value === undefined || typeof value === 'string' || Buffer.isBuffer(value);

/** Zigzag of a safe integer as a non-negative double (Kafka's varints and varlongs alike). */
const zigzag = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1);

function varintSize(unsigned: number): number {
  let size = 1;
  while (unsigned >= 0x80) {
    unsigned = Math.floor(unsigned / 0x80);
    size++;
  }
  return size;
}

const byteLength = (value: Buffer | string): number => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length);

function bytesSize(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 1; // -1
  const length = byteLength(value);
  return varintSize(zigzag(length)) + length;
}

function writeVarint(out: Buffer, at: number, unsigned: number): number {
  while (unsigned >= 0x80) {
    out[at++] = (unsigned % 0x80) | 0x80;
    unsigned = Math.floor(unsigned / 0x80);
  }
  out[at++] = unsigned;
  return at;
}

function writeBytes(out: Buffer, at: number, value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return writeVarint(out, at, zigzag(-1));
  if (typeof value === 'string') {
    const length = Buffer.byteLength(value, 'utf8');
    at = writeVarint(out, at, zigzag(length));
    return at + out.write(value, at, length, 'utf8');
  }
  at = writeVarint(out, at, zigzag(value.length));
  return at + value.copy(out, at);
}
