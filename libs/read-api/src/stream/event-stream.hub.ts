import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@vinsight/config';
import { CheckpointNotice, READ_MODELS_PROJECTION } from '@vinsight/database';
import { createKafkaClient, readPartitionsToEnd, topicNames } from '@vinsight/kafka';
import { nestKafkaLogger } from '@vinsight/runtime';
import { Consumer, Kafka, KafkaMessage, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ReadModelsDatabase } from '../database/read-models.database';
import { StreamLimitError, StreamUnavailableError, ValidationFailedError } from '../errors/read-api.errors';
import { ReadModelListener } from '../notifications/read-model.listener';
import { READ_API_SETTINGS, ReadApiSettings } from '../read-api.settings';
import { StreamPosition, encodeStreamPosition } from './stream-position';
import { STREAMED_RECORD_TYPES, StreamEventType, streamEventsOf } from './stream-events';

type Topic = 'events' | 'checks';
const TOPICS: readonly Topic[] = ['events', 'checks'];

/** One record of a partition that brings stream events, decoded once for every connection. */
interface StreamRecord {
  topic: Topic;
  offset: bigint;
  tenantId: string;
  /** `event:` and `data:` lines of each event, written as they are to every connection. */
  events: { type: StreamEventType; monitorId: string; frame: string }[];
}

interface PartitionState {
  /** Consumed, not yet in the read models (the projector's checkpoint is not past them). */
  pending: Record<Topic, StreamRecord[]>;
  /** Released records, oldest first: a connection resuming from a recent position replays them. */
  ring: StreamRecord[];
  /** The ring holds every streamed record released from these offsets on. */
  coveredFrom: Record<Topic, bigint>;
  /** The projector's checkpoint (next offset to apply): records below it are in the read models. */
  released: Record<Topic, bigint>;
  /** Last offset consumed, so a rejoin seeks back to the next one and nothing is consumed twice. */
  lastSeen: Record<Topic, bigint>;
  /** Fetching stopped: MAX_PENDING_RECORDS wait for the projector. */
  paused: Record<Topic, boolean>;
}

export interface StreamRequest {
  tenantId: string;
  types: ReadonlySet<StreamEventType>;
  monitorId?: string;
  /** Decoded Last-Event-ID; none: start at what the read models include now. */
  after?: StreamPosition;
}

interface Connection extends StreamRequest {
  response: ServerResponse;
  position: StreamPosition;
  /** Replaying history: live records are not written to it yet (the ring or the backlog has them for the replay). */
  live: boolean;
  /** Records released while the connection is read from Kafka. */
  backlog?: StreamRecord[];
  closed: boolean;
}

const CHECKPOINTS_SQL = `SELECT topic, partition, next_offset::text AS next_offset FROM projection_checkpoints
  WHERE projection = $1 AND topic = ANY($2::text[])`;
/** A connection whose socket holds this much unsent is closed; the client resumes from its last id. */
const MAX_UNSENT_BYTES = 1024 * 1024;
const CHECKPOINT_POLL_MS = { listening: 2000, deaf: 200 };
/**
 * Records of a partition held for the projector at most: beyond, the partition is paused until
 * half of them are released, so a stopped projector costs memory once, not without end.
 */
const MAX_PENDING_RECORDS = 10000;

/**
 * GET /v1/stream's engine, one per process. It consumes `events` and `check-events` itself (a
 * consumer group of its own that never commits: every partition, read_committed, positioned by
 * seeking), decodes each record once, and holds it until the projector's checkpoint of its
 * partition is past it: the same checkpoint an `X-Consistency-Token` read waits for, heard from
 * the projector's notifications (and polled as a safety net). A client therefore never receives
 * an event that a REST read at the event's position would not show. Released records are written
 * to the connections of their tenant (the record's key and envelope name it) and kept in a
 * bounded ring per partition, from which a reconnecting client is replayed; a position older than
 * the ring is read again from Kafka for that client alone. The consumer starts with the first
 * connection, so processes that serve no streams never join a group.
 */
@Injectable()
export class EventStreamHub implements BeforeApplicationShutdown {
  private readonly logger = new Logger('EventStream');
  private readonly topicName: Record<Topic, string>;
  private readonly connections = new Map<string, Set<Connection>>();
  private readonly partitions: PartitionState[] = [];
  private kafka?: Kafka;
  private consumer?: Consumer;
  private starting?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private stopped = false;
  private readonly partitionOfKey = Partitioners.DefaultPartitioner();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_API_SETTINGS) private readonly settings: ReadApiSettings,
    private readonly database: ReadModelsDatabase,
    private readonly listener: ReadModelListener,
  ) {
    const names = topicNames(config.kafka.topicPrefix);
    this.topicName = { events: names.events, checks: names.checkEvents };
    listener.subscribe({
      checkpoint: (notice) => this.checkpointMoved(notice),
      listening: () => void this.pollCheckpoints(),
    });
  }

  /** Streams open now, all tenants. */
  get connectionCount(): number {
    let count = 0;
    for (const set of this.connections.values()) count += set.size;
    return count;
  }

  /**
   * Checks the request (limit, Last-Event-ID) before anything is written, so refusals are
   * problem+json; then `start` writes the stream.
   */
  async admit(request: StreamRequest): Promise<(response: ServerResponse) => void> {
    if (this.stopped) throw new StreamLimitError('the server is shutting down', 1);
    const open = this.connections.get(request.tenantId)?.size ?? 0;
    if (open >= this.settings.stream.maxConnectionsPerTenant) {
      throw new StreamLimitError(`at most ${this.settings.stream.maxConnectionsPerTenant} streams per tenant are open at once`, 5);
    }
    await this.ensureStarted().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'the event stream consumer did not start');
      throw new StreamUnavailableError();
    });
    const partition = this.partitionOf(request.tenantId);
    const state = this.partitions[partition];
    if (request.after && request.after.partition !== partition) {
      throw new ValidationFailedError([{ field: 'Last-Event-ID', message: "is not a position of this tenant's stream" }]);
    }
    if (request.after && (await this.beyondTheLog(request.after, state))) {
      throw new ValidationFailedError([{ field: 'Last-Event-ID', message: 'is beyond the end of the stream' }]);
    }
    const position: StreamPosition = request.after ?? {
      partition,
      events: state.released.events - 1n,
      checks: state.released.checks - 1n,
    };
    return (response) => this.start({ ...request, response, position, live: false, closed: false });
  }

  /** A position past what this process consumed is checked against the end of the log (never sent by us: forged or of another cluster). */
  private async beyondTheLog(position: StreamPosition, state: PartitionState): Promise<boolean> {
    const events = position.partial ? position.partial.offset : position.events;
    if (events <= state.lastSeen.events && position.checks <= state.lastSeen.checks) return false;
    const admin = this.kafka!.admin();
    await admin.connect();
    try {
      for (const [topic, offset] of [
        ['events', events],
        ['checks', position.checks],
      ] as const) {
        const ends = await admin.fetchTopicOffsets(this.topicName[topic]);
        const high = BigInt(ends.find((end) => end.partition === position.partition)?.high ?? '0');
        if (offset >= high) return true;
      }
      return false;
    } catch {
      throw new StreamUnavailableError();
    } finally {
      await admin.disconnect();
    }
  }

  private start(connection: Connection): void {
    const { response } = connection;
    let tenant = this.connections.get(connection.tenantId);
    if (!tenant) this.connections.set(connection.tenantId, (tenant = new Set()));
    tenant.add(connection);
    response.on('close', () => this.remove(connection));
    const id = encodeStreamPosition(connection.position);
    this.write(connection, `retry: 1000\n\nid: ${id}\nevent: stream.opened\ndata: ${JSON.stringify({ position: id })}\n\n`);
    void this.catchUp(connection).catch((error: unknown) => {
      this.logger.warn({ err: error, tenantId: connection.tenantId }, 'stream catch-up failed; closing the stream');
      connection.response.end();
    });
  }

  private remove(connection: Connection): void {
    connection.closed = true;
    const tenant = this.connections.get(connection.tenantId);
    tenant?.delete(connection);
    if (tenant?.size === 0) this.connections.delete(connection.tenantId);
  }

  /**
   * Brings a connection from its position to the live edge. A topic whose position the ring
   * covers is replayed from the ring. A topic behind the ring is read again from Kafka up to the
   * checkpoint known when the catch-up began (records the read models include), while what is
   * released meanwhile collects in the connection's backlog; the backlog then follows. The
   * replays and the switch to live happen in one turn of the event loop, so no release falls
   * between them, and `deliver` skips what the connection already had.
   */
  private async catchUp(connection: Connection): Promise<void> {
    const state = this.partitions[connection.position.partition];
    const behind = TOPICS.filter((topic) => this.nextOf(connection.position, topic) < state.coveredFrom[topic]);
    if (behind.length > 0) {
      connection.backlog = [];
      const bound = { ...state.released };
      for (const topic of behind) {
        if (topic === 'checks' && !connection.types.has('check.recorded')) {
          // Nothing of check-events is sent to this connection: pass over what it would read.
          if (connection.position.checks < bound.checks - 1n) connection.position.checks = bound.checks - 1n;
        } else await this.readFromKafka(connection, topic, bound[topic]);
      }
    }
    if (connection.closed) return;
    for (const record of state.ring) if (!behind.includes(record.topic)) this.deliver(connection, record);
    for (const record of connection.backlog ?? []) if (behind.includes(record.topic)) this.deliver(connection, record);
    connection.backlog = undefined;
    connection.live = true;
  }

  private nextOf(position: StreamPosition, topic: Topic): bigint {
    if (topic === 'checks') return position.checks + 1n;
    return position.partial ? position.partial.offset : position.events + 1n;
  }

  /** Sends the connection what Kafka holds of `topic` from its position up to `bound` (excluded). */
  private async readFromKafka(connection: Connection, topic: Topic, bound: bigint): Promise<void> {
    const partition = connection.position.partition;
    await readPartitionsToEnd(
      this.kafka!,
      this.topicName[topic],
      new Map([[partition, this.nextOf(connection.position, topic)]]),
      (_, messages) => {
        for (const message of messages) {
          if (BigInt(message.offset) >= bound || connection.closed) continue;
          const record = this.decode(topic, message);
          if (record) this.deliver(connection, record);
        }
      },
      { groupPrefix: `${this.config.kafka.topicPrefix}read-api.stream` },
    );
    if (topic === 'events' && this.nextOf(connection.position, 'events') < bound) {
      connection.position.events = bound - 1n;
      connection.position.partial = undefined;
    }
    if (topic === 'checks' && connection.position.checks < bound - 1n) connection.position.checks = bound - 1n;
  }

  /** Writes what of a record of its tenant the connection has not had and wants, each event with its id. */
  private deliver(connection: Connection, record: StreamRecord): void {
    const position = connection.position;
    let skip = 0;
    if (record.topic === 'events') {
      if (position.partial) {
        if (record.offset < position.partial.offset) return;
        if (record.offset === position.partial.offset) skip = position.partial.sent;
      } else if (record.offset <= position.events) return;
    } else if (record.offset <= position.checks) return;
    let out = '';
    // A partition carries every tenant keyed to it, and the ring and Kafka replays hold all of
    // them: another tenant's record only moves the connection's position past it.
    const last = record.tenantId === connection.tenantId ? record.events.length - 1 : -1;
    for (let i = skip; i <= last; i++) {
      const event = record.events[i];
      if (!connection.types.has(event.type) || (connection.monitorId !== undefined && connection.monitorId !== event.monitorId)) continue;
      const id = encodeStreamPosition({
        partition: position.partition,
        events: record.topic === 'events' ? record.offset : position.events,
        checks: record.topic === 'checks' ? record.offset : position.checks,
        ...(i < last && { partial: { offset: record.offset, sent: i + 1 } }),
      });
      out += `id: ${id}\n${event.frame}`;
    }
    if (record.topic === 'events') {
      position.events = record.offset;
      position.partial = undefined;
    } else position.checks = record.offset;
    if (out !== '') this.write(connection, out);
  }

  private write(connection: Connection, text: string): void {
    if (connection.closed) return;
    const { response } = connection;
    if (!response.write(text) && response.writableLength > MAX_UNSENT_BYTES) {
      this.logger.warn({ tenantId: connection.tenantId }, 'stream client reads too slowly; closing its stream');
      response.destroy();
      this.remove(connection);
    }
  }

  private partitionOf(tenantId: string): number {
    const partitionMetadata = this.partitions.map((_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    return this.partitionOfKey({ topic: this.topicName.events, partitionMetadata, message: { key: tenantId, value: null } });
  }

  private decode(topic: Topic, message: KafkaMessage): StreamRecord | null {
    const type = message.headers?.type?.toString();
    if (type !== undefined && !STREAMED_RECORD_TYPES.has(type)) return null;
    if (!message.value || !message.key) return null;
    let envelope: unknown;
    try {
      envelope = JSON.parse(message.value.toString('utf8'));
    } catch {
      return null;
    }
    const tenantId = message.key.toString('utf8');
    const events = streamEventsOf(envelope).filter((event) => event.tenantId === tenantId);
    if (events.length === 0) return null;
    return {
      topic,
      offset: BigInt(message.offset),
      tenantId,
      events: events.map((event) => ({
        type: event.type,
        monitorId: event.monitorId,
        frame: `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`,
      })),
    };
  }

  private ensureStarted(): Promise<void> {
    this.starting ??= this.startConsumer().catch((error: unknown) => {
      this.starting = undefined;
      void this.consumer?.disconnect().catch(() => undefined);
      throw error;
    });
    return this.starting;
  }

  private async startConsumer(): Promise<void> {
    const kafka = (this.kafka ??= createKafkaClient(
      { ...this.config.kafka, clientId: `${this.config.kafka.clientId}.stream` },
      { logger: nestKafkaLogger(new Logger('KafkaJS')) },
    ));
    const admin = kafka.admin();
    await admin.connect();
    let partitionCount: number;
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.topicName.events] });
      partitionCount = topics[0].partitions.length;
    } finally {
      await admin.disconnect();
    }
    const checkpoints = await this.readCheckpoints();
    for (let partition = 0; partition < partitionCount; partition++) {
      const at = (topic: Topic) =>
        checkpoints.find((c) => c.partition === partition && c.topic === this.topicName[topic])?.nextOffset ?? 0n;
      this.partitions[partition] = {
        pending: { events: [], checks: [] },
        ring: [],
        coveredFrom: { events: at('events'), checks: at('checks') },
        released: { events: at('events'), checks: at('checks') },
        lastSeen: { events: at('events') - 1n, checks: at('checks') - 1n },
        paused: { events: false, checks: false },
      };
    }
    const consumer = (this.consumer = kafka.consumer({
      groupId: `${this.config.kafka.topicPrefix}read-api.stream.${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 500,
      sessionTimeout: 30000,
    }));
    let joined!: () => void;
    const firstJoin = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // Every join, first or after a rebalance, continues where this process left off.
      for (const topic of TOPICS) {
        for (const partition of payload.memberAssignment[this.topicName[topic]] ?? []) {
          const next = this.partitions[partition].lastSeen[topic] + 1n;
          consumer.seek({ topic: this.topicName[topic], partition, offset: next.toString() });
        }
      }
      joined();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topicName.events, this.topicName.checks], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const topic: Topic = batch.topic === this.topicName.events ? 'events' : 'checks';
        const state = this.partitions[batch.partition];
        if (!state) return;
        for (const message of batch.messages) {
          if (payload.isStale()) return;
          const offset = BigInt(message.offset);
          if (offset <= state.lastSeen[topic]) continue;
          state.lastSeen[topic] = offset;
          const record = this.decode(topic, message);
          if (record) state.pending[topic].push(record);
        }
        this.release(batch.partition, topic);
        if (state.pending[topic].length >= MAX_PENDING_RECORDS && !state.paused[topic]) {
          state.paused[topic] = true;
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
        }
        await Promise.resolve();
      },
    });
    await firstJoin;
    this.heartbeat = setInterval(() => this.beat(), this.settings.stream.heartbeatMs);
    this.schedulePoll();
    this.logger.log({ partitions: partitionCount }, 'event stream consumer started');
  }

  private async readCheckpoints(): Promise<CheckpointNotice[]> {
    const { rows } = await this.database.primaryPool.query<{ topic: string; partition: number; next_offset: string }>(CHECKPOINTS_SQL, [
      READ_MODELS_PROJECTION,
      [this.topicName.events, this.topicName.checks],
    ]);
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, nextOffset: BigInt(row.next_offset) }));
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.poll = setTimeout(
      () => void this.pollCheckpoints().finally(() => this.schedulePoll()),
      this.listener.up ? CHECKPOINT_POLL_MS.listening : CHECKPOINT_POLL_MS.deaf,
    );
    this.poll.unref();
  }

  private async pollCheckpoints(): Promise<void> {
    if (this.partitions.length === 0 || this.stopped) return;
    const checkpoints = await this.readCheckpoints().catch(() => []);
    for (const notice of checkpoints) this.checkpointMoved(notice);
  }

  private checkpointMoved(notice: CheckpointNotice): void {
    const topic: Topic | null =
      notice.topic === this.topicName.events ? 'events' : notice.topic === this.topicName.checks ? 'checks' : null;
    const state = this.partitions[notice.partition];
    if (!topic || !state || notice.nextOffset <= state.released[topic]) return;
    state.released[topic] = notice.nextOffset;
    this.release(notice.partition, topic);
  }

  /** Moves the records the read models now include from pending to the ring and the live connections. */
  private release(partition: number, topic: Topic): void {
    const state = this.partitions[partition];
    const pending = state.pending[topic];
    let count = 0;
    while (count < pending.length && pending[count].offset < state.released[topic]) count++;
    if (count === 0) return;
    for (const record of pending.splice(0, count)) {
      state.ring.push(record);
      const tenant = this.connections.get(record.tenantId);
      if (!tenant) continue;
      for (const connection of tenant) {
        if (connection.live) this.deliver(connection, record);
        else connection.backlog?.push(record);
      }
    }
    if (state.paused[topic] && pending.length < MAX_PENDING_RECORDS / 2) {
      state.paused[topic] = false;
      this.consumer?.resume([{ topic: this.topicName[topic], partitions: [partition] }]);
    }
    const excess = state.ring.length - this.settings.stream.replayRecords;
    if (excess > 0) {
      for (const evicted of state.ring.splice(0, excess)) state.coveredFrom[evicted.topic] = evicted.offset + 1n;
    }
  }

  private beat(): void {
    for (const tenant of this.connections.values()) for (const connection of tenant) this.write(connection, ': heartbeat\n\n');
  }

  /**
   * Nest calls this before it closes the HTTP server, which would otherwise wait for these
   * never-ending responses. Each stream ends with a comment; EventSource reconnects (with its
   * Last-Event-ID) to an instance that is not shutting down.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.poll) clearTimeout(this.poll);
    for (const tenant of [...this.connections.values()]) {
      for (const connection of [...tenant]) {
        this.write(connection, ': server shutting down\n\n');
        connection.response.end();
        this.remove(connection);
      }
    }
    await this.starting?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
