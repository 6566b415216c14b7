import { createHash } from 'node:crypto';
import { acceptedResult, CommandResult, ConsistencyPosition, decodeConsistencyToken, encodeConsistencyToken } from '@vinsight/contracts';

const RECORD_BYTES = 80;
const KEY = 0;
const TENANT = 16;
const AGGREGATE = 32;
const PROCESSED_AT = 48;
const EVENTS_OFFSET = 56;
const CHECK_EVENTS_OFFSET = 64;
const VERSION = 72;
const PARTITION = 76;
const TYPE = 78;
const FLAGS = 79;

const IN_USE = 1;
/** The result did not fit a record (rejected, unusual ids or position): kept as it is, beside. */
const KEPT_WHOLE = 2;
/** The key is a hash of a command id that is not a lower-case UUID. */
const HASHED_KEY = 4;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
/** Above this many distinct command types a result is kept whole (types are few; this is a guard). */
const MAX_TYPES = 255;

/**
 * What a result was made from, when the caller made it: its position as decoded and its time.
 * Given, they spare decoding the result's token and parsing its time (and checking both come
 * back the same), which was most of the cost of remembering a result.
 */
export interface ResultOrigin {
  readonly position: ConsistencyPosition;
  readonly processedAt: Date;
}

/**
 * The results of the last `capacity` commands of a partition, for `commandId` idempotency, in a
 * fixed amount of memory allocated (and written) when the partition is loaded: a ring of
 * 80-byte binary records and an open-addressing index over it (4 bytes a cell, at most half
 * full: 8-16 bytes a result), both outside the V8 heap.
 * An accepted result is stored as its ids (16 bytes each), version, offsets and time, and is
 * rebuilt on a repeat (rare); whatever does not fit that shape (rejections, ids that are not
 * lower-case UUIDs, a position the record cannot hold) is kept as the object itself, still
 * within the same ring. As objects, each result cost about 440 bytes of V8 heap, which for
 * 100,000 results on each of 12 partitions came to half a gigabyte, reached only after
 * 1.2 million commands: memory that looked like a leak for the first 20 minutes at 1,000/s.
 */
export class RecentResults {
  private readonly records: Buffer;
  private readonly index: Int32Array;
  private readonly mask: number;
  private readonly whole = new Map<number, CommandResult>();
  private readonly types: string[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly key = Buffer.alloc(16);
  /** The slot the next result goes to; the oldest one once the ring is full. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer (got ${capacity})`);
    // Written now, so the partition's footprint is fixed from its load, not reached hours later.
    this.records = Buffer.allocUnsafeSlow(capacity * RECORD_BYTES).fill(0);
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.index = new Int32Array(size).fill(0);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  get(commandId: string): CommandResult | undefined {
    const hashed = this.keyOf(commandId);
    const cell = this.find(hashed);
    if (cell < 0) return undefined;
    return this.read(this.index[cell] - 1);
  }

  /**
   * Adds a result as the newest; once full, the oldest result is forgotten. `origin`, when
   * given, must be what the result's `position` and `processedAt` were made from.
   */
  remember(result: CommandResult, origin?: ResultOrigin): void {
    const hashed = this.keyOf(result.commandId);
    const existing = this.find(hashed);
    if (existing >= 0) {
      // Same command id again (a rebuild reading a result it already has): update it in place.
      this.write(this.index[existing] - 1, result, hashed, origin);
      return;
    }
    const slot = this.next;
    if (this.records[slot * RECORD_BYTES + FLAGS] & IN_USE) this.forget(slot);
    this.write(slot, result, hashed, origin);
    this.insert(slot);
    this.count++;
    this.next = (slot + 1) % this.capacity;
  }

  /** Oldest first (what a snapshot stores, and what reloading it remembers in the same order). */
  *values(): IterableIterator<CommandResult> {
    const start = this.count < this.capacity ? 0 : this.next;
    for (let i = 0; i < this.capacity; i++) {
      const slot = (start + i) % this.capacity;
      if (this.records[slot * RECORD_BYTES + FLAGS] & IN_USE) yield this.read(slot);
    }
  }

  /** Fills `this.key` with the command id's 16 bytes, or a hash of it; true when hashed. */
  private keyOf(commandId: string): boolean {
    if (UUID.test(commandId)) {
      writeUuid(this.key, 0, commandId);
      return false;
    }
    createHash('sha256').update(commandId, 'utf8').digest().copy(this.key, 0, 0, 16);
    return true;
  }

  /** The index cell holding `this.key`, or -1. */
  private find(hashed: boolean): number {
    for (let cell = this.home(this.key, 0); ; cell = (cell + 1) & this.mask) {
      const entry = this.index[cell];
      if (entry === 0) return -1;
      const at = (entry - 1) * RECORD_BYTES;
      if (this.holdsKey(at) && ((this.records[at + FLAGS] & HASHED_KEY) !== 0) === hashed) return cell;
    }
  }

  /** Compared byte by byte: a Buffer view per probe would be garbage on every command. */
  private holdsKey(at: number): boolean {
    for (let i = 0; i < 16; i++) if (this.records[at + KEY + i] !== this.key[i]) return false;
    return true;
  }

  private insert(slot: number): void {
    let cell = this.home(this.records, slot * RECORD_BYTES + KEY);
    while (this.index[cell] !== 0) cell = (cell + 1) & this.mask;
    this.index[cell] = slot + 1;
  }

  /** Removes the slot's entry from the index (backward-shift deletion keeps probe chains whole). */
  private forget(slot: number): void {
    let cell = this.home(this.records, slot * RECORD_BYTES + KEY);
    while (this.index[cell] !== slot + 1) cell = (cell + 1) & this.mask;
    let hole = cell;
    for (let next = (hole + 1) & this.mask; this.index[next] !== 0; next = (next + 1) & this.mask) {
      const home = this.home(this.records, (this.index[next] - 1) * RECORD_BYTES + KEY);
      // The entry may move back into the hole only if its home is not between the hole and it.
      const between = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!between) {
        this.index[hole] = this.index[next];
        hole = next;
      }
    }
    this.index[hole] = 0;
    this.whole.delete(slot);
    this.records[slot * RECORD_BYTES + FLAGS] = 0;
    this.count--;
  }

  private home(bytes: Uint8Array, at: number): number {
    let h = 0;
    for (let i = 0; i < 16; i += 4) h ^= bytes[at + i] | (bytes[at + i + 1] << 8) | (bytes[at + i + 2] << 16) | (bytes[at + i + 3] << 24);
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    return (h ^ (h >>> 16)) & this.mask;
  }

  private write(slot: number, result: CommandResult, hashed: boolean, origin: ResultOrigin | undefined): void {
    const at = slot * RECORD_BYTES;
    this.key.copy(this.records, at + KEY);
    const compact = hashed ? undefined : this.compact(result, origin);
    this.whole.delete(slot);
    if (!compact) {
      this.whole.set(slot, result);
      this.records[at + FLAGS] = IN_USE | KEPT_WHOLE | (hashed ? HASHED_KEY : 0);
      return;
    }
    writeUuid(this.records, at + TENANT, compact.tenantId);
    writeUuid(this.records, at + AGGREGATE, compact.aggregateId);
    this.records.writeDoubleLE(compact.processedAt, at + PROCESSED_AT);
    this.records.writeDoubleLE(compact.eventsOffset, at + EVENTS_OFFSET);
    this.records.writeDoubleLE(compact.checkEventsOffset, at + CHECK_EVENTS_OFFSET);
    this.records.writeUInt32LE(compact.version, at + VERSION);
    this.records.writeUInt16LE(compact.partition, at + PARTITION);
    this.records[at + TYPE] = compact.type;
    this.records[at + FLAGS] = IN_USE;
  }

  private read(slot: number): CommandResult {
    const at = slot * RECORD_BYTES;
    if (this.records[at + FLAGS] & KEPT_WHOLE) return this.whole.get(slot)!;
    const commandId = readUuid(this.records, at + KEY);
    const offset = (field: number) => {
      const value = this.records.readDoubleLE(at + field);
      return Number.isNaN(value) ? undefined : String(value);
    };
    return acceptedResult({
      commandId,
      correlationId: commandId,
      tenantId: readUuid(this.records, at + TENANT),
      type: this.types[this.records[at + TYPE]],
      aggregateId: readUuid(this.records, at + AGGREGATE),
      version: this.records.readUInt32LE(at + VERSION),
      position: encodeConsistencyToken({
        partition: this.records.readUInt16LE(at + PARTITION),
        eventsOffset: offset(EVENTS_OFFSET),
        checkEventsOffset: offset(CHECK_EVENTS_OFFSET),
      }),
      processedAt: new Date(this.records.readDoubleLE(at + PROCESSED_AT)),
    });
  }

  /** The record's fields, when the result can be rebuilt from them exactly; otherwise undefined. */
  private compact(result: CommandResult, origin: ResultOrigin | undefined) {
    if (result.status !== 'accepted' || result.duplicate || result.correlationId !== result.commandId) return undefined;
    if (!UUID.test(result.tenantId) || !UUID.test(result.aggregateId)) return undefined;
    if (!Number.isInteger(result.version) || result.version < 0 || result.version > 0xffffffff) return undefined;
    const { position, processedAt } = origin ?? originOf(result) ?? {};
    if (!position || !processedAt || position.partition > 0xffff) return undefined;
    const eventsOffset = position.eventsOffset === undefined ? Number.NaN : Number(position.eventsOffset);
    const checkEventsOffset = position.checkEventsOffset === undefined ? Number.NaN : Number(position.checkEventsOffset);
    const exact = (offset: string | undefined, value: number) =>
      offset === undefined || (Number.isSafeInteger(value) && String(value) === offset);
    if (!exact(position.eventsOffset, eventsOffset) || !exact(position.checkEventsOffset, checkEventsOffset)) return undefined;
    const type = this.typeOf(result.type);
    if (type === undefined) return undefined;
    return {
      tenantId: result.tenantId,
      aggregateId: result.aggregateId,
      version: result.version,
      partition: position.partition,
      eventsOffset,
      checkEventsOffset,
      processedAt: processedAt.getTime(),
      type,
    };
  }

  private typeOf(type: string): number | undefined {
    let index = this.typeIndex.get(type);
    if (index === undefined && this.types.length < MAX_TYPES) {
      index = this.types.push(type) - 1;
      this.typeIndex.set(type, index);
    }
    return index;
  }
}

/** What a result was made from, read back from it: only when re-encoding both gives the same text. */
function originOf(result: CommandResult): ResultOrigin | undefined {
  const position = result.position === undefined ? null : decodeConsistencyToken(result.position);
  if (!position || encodeConsistencyToken(position) !== result.position) return undefined;
  const processedAt = new Date(result.processedAt);
  if (Number.isNaN(processedAt.getTime()) || processedAt.toISOString() !== result.processedAt) return undefined;
  return { position, processedAt };
}

function writeUuid(target: Uint8Array, at: number, uuid: string): void {
  for (let i = 0, c = 0; i < 16; i++, c += 2) {
    if (c === 8 || c === 13 || c === 18 || c === 23) c++;
    target[at + i] = (hexDigit(uuid.charCodeAt(c)) << 4) | hexDigit(uuid.charCodeAt(c + 1));
  }
}

const hexDigit = (code: number) => (code <= 57 ? code - 48 : code - 87);

function readUuid(source: Uint8Array, at: number): string {
  let text = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text += '-';
    text += HEX[source[at + i]];
  }
  return text;
}
