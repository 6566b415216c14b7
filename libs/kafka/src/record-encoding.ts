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
 * The produce request around the records was still built as KafkaJS builds it: the records
 * copied into the batch's body, the body into the batch, the batch into its partition's entry,
 * that into its topic's, that into the request's, each into a new buffer (a transaction's
 * request at full speed is hundreds of KB, so every copy lands on freshly mapped pages). This
 * writes the whole request body (v3, which KafkaJS's v4 to v7 reuse) into one buffer of its exact
 * size: each record is written once, where it ends up, and the batch's CRC is computed in place.
 * A request it does not encode itself (compression, a message with its own timestamp, a record
 * encodeRecord leaves to KafkaJS) is encoded by KafkaJS.
 *
 * KafkaJS then frames every request (protocol/request.js) by writing its header into a new
 * encoder and copying the body after it, then the size into another and copying the rest after
 * that: two more copies of the whole request onto fresh pages. The body is therefore written
 * with room before it, and an encoder that writes an encoder having such room puts its own few
 * bytes there instead and becomes a view of both: the framed request is the body's buffer.
 *
 * It replaces KafkaJS internal modules (not part of its typed API), loaded only when a
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

/** Bytes before an encoder's `buf`, in the same allocation, that the encoder owns and nothing has written. */
const ROOM_BEFORE = Symbol('roomBefore');

interface EncoderLike {
  buf: Buffer;
  offset: number;
  [ROOM_BEFORE]?: number;
}

/**
 * Room left before a produce request's body for KafkaJS's framing: its size, API key and version,
 * correlation id and client id (16 bytes and the client id's); a longer client id is copied as before.
 */
const REQUEST_HEADER_ROOM = 512;

type EncoderClass = { prototype: EncoderLike & Record<string, unknown>; nextPowerOfTwo(value: number): number };
type RecordEncoder = (record: RecordInput) => EncoderLike;

/** Largest value whose zigzag form (2|v|) stays an exact double. */
const MAX_SAFE_ZIGZAG = Number.MAX_SAFE_INTEGER / 2;

let installed: boolean | undefined;

/**
 * Installs the record encoder once per process; returns whether KafkaJS had the expected shape.
 * `checksum` computes the record batches' CRC-32C (KafkaJS's own unless given).
 */
export function installRecordEncoding(checksum?: (bytes: Buffer) => number): boolean {
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
    typeof Encoder.prototype.writeEncoder === 'function' &&
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
  const writeEncoder = Encoder.prototype.writeEncoder as (this: EncoderLike, value: EncoderLike) => EncoderLike;
  Encoder.prototype.writeEncoder = function (this: EncoderLike, value: EncoderLike) {
    return prependInto(this, value) ? this : writeEncoder.call(this, value);
  };
  const encoderOf = (bytes: Buffer, roomBefore = 0): EncoderLike => {
    const encoder = Object.create(Encoder.prototype) as EncoderLike;
    encoder.buf = bytes;
    encoder.offset = bytes.length;
    if (roomBefore > 0) encoder[ROOM_BEFORE] = roomBefore;
    return encoder;
  };
  cached!.exports = (record: RecordInput): EncoderLike => {
    const bytes = encodeRecord(record);
    return bytes === undefined ? original(record) : encoderOf(bytes);
  };

  // Loaded now, so that it holds the record encoder above for what it still encodes itself.
  const produceRequest = require(producePath) as (request: ProduceRequest) => KafkaRequest;
  const crc32c = checksum ?? (require(require.resolve('kafkajs/src/protocol/recordBatch/crc32C')) as (bytes: Buffer) => number);
  const Long = require(require.resolve('kafkajs/src/utils/long')) as LongClass;
  const tools: ProduceEncodingTools = {
    crc32c,
    int64: (value) => {
      const long = Long.fromValue(value);
      return [long.getHighBits(), long.getLowBits()];
    },
  };
  require.cache[producePath]!.exports = (request: ProduceRequest): KafkaRequest => {
    const kafkajs = produceRequest(request);
    return {
      ...kafkajs,
      encode: async () => {
        const body = encodeProduceRequest(request, Date.now(), tools, REQUEST_HEADER_ROOM);
        return body === undefined ? kafkajs.encode() : encoderOf(body, REQUEST_HEADER_ROOM);
      },
    };
  };
  return true;
}

/**
 * `head.writeEncoder(tail)` without copying `tail`: when `tail` has room for `head`'s bytes before
 * it, they are written there and `head` becomes a view of them and `tail`'s. The room passes to
 * `head` (for the next framing); `tail` keeps none, so that a second encoder writing it copies it.
 */
function prependInto(head: EncoderLike, tail: EncoderLike): boolean {
  const room = tail[ROOM_BEFORE] ?? 0;
  if (room < head.offset) return false;
  const start = tail.buf.byteOffset - head.offset;
  const joined = Buffer.from(tail.buf.buffer, start, head.offset + tail.offset);
  head.buf.copy(joined, 0, 0, head.offset);
  head[ROOM_BEFORE] = room - head.offset;
  tail[ROOM_BEFORE] = 0;
  head.buf = joined;
  head.offset = joined.length;
  return true;
}

type LongClass = { fromValue(value: unknown): { getHighBits(): number; getLowBits(): number } };

/** A produce request as KafkaJS's produce/v3/request.js takes it. */
export interface ProduceRequest {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  /** A KafkaJS Long (or what Long.fromValue takes); -1 when absent. */
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: readonly {
    topic: string;
    partitions: readonly {
      partition: number;
      firstSequence?: number;
      messages: readonly (RecordInput & { timestamp?: unknown })[];
    }[];
  }[];
}

interface KafkaRequest {
  encode(): Promise<EncoderLike>;
  [field: string]: unknown;
}

/** A CRC-32C and KafkaJS's 64-bit integers, handed in so that the encoding itself stays pure. */
export interface ProduceEncodingTools {
  crc32c(bytes: Buffer): number;
  /** High and low 32 bits of a 64-bit integer. */
  int64(value: unknown): [number, number];
}

/** Bytes of a record batch's header after its length and before its records (Kafka's DefaultRecordBatch). */
const BATCH_HEADER = 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
const TRANSACTIONAL_BATCH = 16;

/**
 * The body of a Produce request (v3: transactional id, acks, timeout, topics, partitions, one
 * record batch of magic 2 each) with the bytes KafkaJS's produce/v3/request.js writes, in one
 * buffer; `now` is every batch's first and largest timestamp, as KafkaJS's Date.now(). Undefined
 * for what only KafkaJS encodes: compression, a message with a timestamp, a record encodeRecord
 * leaves to it. `roomBefore` bytes of the same allocation are left unwritten before the body.
 */
export function encodeProduceRequest(
  request: ProduceRequest,
  now: number,
  tools: ProduceEncodingTools,
  roomBefore = 0,
): Buffer | undefined {
  const { acks, timeout, transactionalId = null, producerId = -1, producerEpoch = 0, compression = 0, topicData } = request;
  if (compression !== 0) return undefined;
  let size = stringSize(transactionalId) + 2 + 4 + 4;
  // Per topic and partition: the records measured, and the record batch's length.
  const plans: { records: RecordPlan[]; batchLength: number }[][] = [];
  for (const { topic, partitions } of topicData) {
    size += stringSize(topic) + 4;
    const topicPlans: { records: RecordPlan[]; batchLength: number }[] = [];
    for (const { messages } of partitions) {
      const records: RecordPlan[] = [];
      let recordBytes = 0;
      for (let i = 0; i < messages.length; i++) {
        const { key, value, headers, timestamp } = messages[i];
        if (timestamp !== undefined && timestamp !== null) return undefined;
        const plan = planRecord({ key, value, headers, offsetDelta: i, timestampDelta: 0 });
        if (plan === undefined) return undefined;
        records.push(plan);
        recordBytes += plan.size;
      }
      const batchLength = BATCH_HEADER + recordBytes;
      size += 4 + 4 + 8 + 4 + batchLength;
      topicPlans.push({ records, batchLength });
    }
    plans.push(topicPlans);
  }

  const out = Buffer.allocUnsafe(roomBefore + size).subarray(roomBefore);
  const [idHigh, idLow] = tools.int64(producerId);
  let at = writeString(out, 0, transactionalId);
  at = out.writeInt16BE(acks, at);
  at = out.writeInt32BE(timeout, at);
  at = out.writeInt32BE(topicData.length, at);
  topicData.forEach(({ topic, partitions }, t) => {
    at = writeString(out, at, topic);
    at = out.writeInt32BE(partitions.length, at);
    partitions.forEach(({ partition, firstSequence = 0 }, p) => {
      const { records, batchLength } = plans[t][p];
      at = out.writeInt32BE(partition, at);
      at = out.writeInt32BE(8 + 4 + batchLength, at);
      at = writeInt64(out, at, 0, 0); // first offset
      at = out.writeInt32BE(batchLength, at);
      at = out.writeInt32BE(0, at); // partition leader epoch
      at = out.writeInt8(2, at); // magic
      const crcAt = at;
      const bodyAt = at + 4;
      at = out.writeInt16BE(transactionalId ? TRANSACTIONAL_BATCH : 0, bodyAt); // attributes
      at = out.writeInt32BE(records.length - 1, at); // last offset delta
      at = writeInt64(out, at, ...timestampParts(now)); // first timestamp
      at = writeInt64(out, at, ...timestampParts(now)); // max timestamp
      at = writeInt64(out, at, idHigh, idLow);
      at = out.writeInt16BE(producerEpoch, at);
      at = out.writeInt32BE(firstSequence, at);
      at = out.writeInt32BE(records.length, at);
      for (const plan of records) at = writeRecord(out, at, plan);
      out.writeUInt32BE(tools.crc32c(out.subarray(bodyAt, at)), crcAt);
    });
  });
  return out;
}

const stringSize = (value: string | null): number => 2 + (value === null ? 0 : Buffer.byteLength(value, 'utf8'));

function writeString(out: Buffer, at: number, value: string | null): number {
  if (value === null) return out.writeInt16BE(-1, at);
  const length = Buffer.byteLength(value, 'utf8');
  at = out.writeInt16BE(length, at);
  return at + out.write(value, at, length, 'utf8');
}

function writeInt64(out: Buffer, at: number, high: number, low: number): number {
  at = out.writeInt32BE(high, at);
  return out.writeInt32BE(low, at);
}

/** A millisecond time as the high and low 32 bits of an int64 (times are positive and below 2^53). */
const timestampParts = (ms: number): [number, number] => [Math.floor(ms / 2 ** 32) | 0, (ms % 2 ** 32) | 0];

interface Header {
  key: string;
  value: Buffer | string;
}

/** A record's bytes, measured: its headers listed and its length known before it is written. */
interface RecordPlan {
  readonly record: RecordInput;
  readonly headers: readonly Header[];
  /** Length of the record after its own length varint. */
  readonly body: number;
  /** All of the record's bytes. */
  readonly size: number;
}

/**
 * A record in Kafka's v2 record format (KIP-98): length, attributes, timestamp delta, offset
 * delta, key, value and headers, lengths as zigzag varints. Undefined for what only KafkaJS's
 * encoder handles.
 */
export function encodeRecord(record: RecordInput): Buffer | undefined {
  const plan = planRecord(record);
  if (plan === undefined) return undefined;
  const out = Buffer.allocUnsafe(plan.size);
  writeRecord(out, 0, plan);
  return out;
}

function planRecord(record: RecordInput): RecordPlan | undefined {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = record;
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
  return { record, headers: list, body, size: varintSize(zigzag(body)) + body };
}

function writeRecord(out: Buffer, at: number, { record, headers, body }: RecordPlan): number {
  const { offsetDelta = 0, timestampDelta = 0, key, value } = record;
  at = writeVarint(out, at, zigzag(body));
  out[at++] = 0; // attributes: none are used on records
  at = writeVarint(out, at, zigzag(timestampDelta as number));
  at = writeVarint(out, at, zigzag(offsetDelta));
  at = writeBytes(out, at, key);
  at = writeBytes(out, at, value);
  at = writeVarint(out, at, zigzag(headers.length));
  for (const header of headers) {
    at = writeBytes(out, at, header.key);
    at = writeBytes(out, at, header.value);
  }
  return at;
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
