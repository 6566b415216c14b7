import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  acceptedResult,
  asDuplicate,
  CommandResult,
  encodeConsistencyToken,
  eventHeaders,
  eventTopicRole,
  parseCommandMessage,
  rejectedResult,
  toDeadLetter,
  toEventEnvelope,
} from '@vinsight/contracts';
import { DomainCommand, evolveTenantWriteState, TenantWriteState, toSnapshot } from '@vinsight/domain';
import { BaseOffsets, OutputMessages, PartitionHandler, PendingWork, TopicNames } from '@vinsight/kafka';
import { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { decideCommandClass } from './handlers/decide-command';
import { PartitionState } from './partition-state';
import { PartitionStateLoader } from './partition-state.loader';
import { CLOCK, Clock, EVENT_IDS, EventIdGenerator } from './ports';
import { PartitionSnapshot, SnapshotStore } from './snapshot.store';
import { TOPIC_NAMES } from './tokens';

/** Records written to a partition between two snapshots of its state. */
export const SNAPSHOT_EVERY_EVENTS = 100_000;

/** A result whose consistency position is known only once the events' offsets are. */
type PendingResult = (offsets: BaseOffsets) => CommandResult;

export type CommandOutcome = 'accepted' | 'rejected' | 'duplicate' | 'dead_lettered';

/**
 * Turns a slice of one partition's commands into events, results and dead letters. Decisions
 * are made against a working copy of the partition's state, which becomes the real state only
 * when the Kafka transaction carrying them commits.
 */
@Injectable()
export class CommandPartitionHandler implements PartitionHandler {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly logger = new Logger('CommandPartitionHandler');
  /**
   * One snapshot at a time: under even load every partition reaches the threshold together, and
   * each snapshot holds its serialised state (tens of MB) until Postgres has it.
   */
  private snapshotInFlight = false;
  /** Called once per committed command with its outcome (metrics); `code` is the error code of a rejection. */
  onOutcome: (type: string, outcome: CommandOutcome, code?: string) => void = () => undefined;

  constructor(
    private readonly commandBus: CommandBus,
    private readonly loader: PartitionStateLoader,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_IDS) private readonly ids: EventIdGenerator,
    private readonly snapshots: SnapshotStore,
  ) {}

  /** Take a snapshot of a partition after this many events were written since the last one. */
  snapshotEvery = SNAPSHOT_EVERY_EVENTS;

  async assigned(partitions: number[]): Promise<void> {
    for (const [partition, state] of await this.loader.load(partitions)) this.partitions.set(partition, state);
  }

  revoked(partition: number): void {
    this.partitions.delete(partition);
  }

  async handle(partition: number, messages: KafkaMessage[]): Promise<PendingWork> {
    const state = this.partitions.get(partition);
    if (!state) throw new Error(`partition ${partition} is not loaded`);
    const working = new Map<string, TenantWriteState>();
    const pending = new Map<string, PendingResult>();
    const answers: PendingResult[] = [];
    const events: Message[] = [];
    const checks: Message[] = [];
    const deadLetters: Message[] = [];

    for (const message of messages) {
      const now = this.clock.now();
      const parsed = parseCommandMessage({ key: message.key, value: message.value, now });
      if (parsed.kind === 'malformed') {
        deadLetters.push(this.deadLetter(partition, message, parsed.reason, now));
        continue;
      }
      const commandId = parsed.kind === 'command' ? parsed.command.metadata.commandId : parsed.commandId;
      const earlier = pending.get(commandId);
      const known = state.results.get(commandId);
      if (earlier || known) {
        answers.push(earlier ? (offsets) => asDuplicate(earlier(offsets)) : () => asDuplicate(known!));
        continue;
      }
      let result: PendingResult;
      if (parsed.kind === 'rejected') {
        const rejected = rejectedResult({ ...parsed, processedAt: now });
        result = () => rejected;
      } else {
        result = await this.decide(partition, parsed.command, working, state, events, checks, traceparentOf(message.headers));
      }
      const memo = memoise(result);
      pending.set(commandId, memo);
      answers.push(memo);
    }

    let resolved: CommandResult[] = [];
    return {
      first: [
        { topic: this.topics.events, messages: events },
        { topic: this.topics.checkEvents, messages: checks },
        { topic: this.topics.commandsDlq, messages: deadLetters },
      ],
      results: (offsets): OutputMessages[] => {
        resolved = answers.map((answer) => answer(offsets));
        return [
          {
            topic: this.topics.commandResults,
            messages: resolved.map((r) => ({
              key: r.tenantId ?? null,
              value: JSON.stringify(r),
              partition,
              headers: { correlationId: r.correlationId },
            })),
          },
        ];
      },
      committed: (nextOffsets) => {
        for (const [tenantId, tenantState] of working) state.tenants.set(tenantId, tenantState);
        for (const result of resolved) if (!result.duplicate) state.remember(result);
        for (const [topic, offset] of nextOffsets) state.nextOffsets.set(topic, offset);
        state.writtenSinceSnapshot += events.length + checks.length;
        // A partition that has to wait for another's snapshot takes its own after a later commit.
        if (state.writtenSinceSnapshot >= this.snapshotEvery && !this.snapshotInFlight) this.snapshot(partition, state);
        // Counted once committed: a slice aborted and redone (a wrong offset guess, a fenced
        // producer) must not count its commands twice.
        for (let i = 0; i < deadLetters.length; i++) this.onOutcome('unknown', 'dead_lettered');
        for (const result of resolved) {
          if (result.duplicate) this.onOutcome(result.type ?? 'unknown', 'duplicate');
          else if (result.status === 'rejected') this.onOutcome(result.type ?? 'unknown', 'rejected', result.error.code);
          else this.onOutcome(result.type, 'accepted');
        }
      },
      discarded: () => undefined,
    };
  }

  private async decide(
    partition: number,
    command: DomainCommand,
    working: Map<string, TenantWriteState>,
    state: PartitionState,
    events: Message[],
    checks: Message[],
    traceparent: string | undefined,
  ): Promise<PendingResult> {
    const { tenantId, commandId, correlationId, issuedBy, now } = command.metadata;
    const current = working.get(tenantId) ?? state.tenant(tenantId);
    const CommandClass = decideCommandClass(command.type);
    const decision = await this.commandBus.execute(new CommandClass(command, current));
    if (!decision.ok) {
      const rejected = rejectedResult({ commandId, correlationId, tenantId, type: command.type, error: decision.error, processedAt: now });
      return () => rejected;
    }
    let next = current;
    let lastEvent: number | undefined;
    let lastCheck: number | undefined;
    decision.events.forEach((decided, index) => {
      const envelope = toEventEnvelope(decided, {
        eventId: this.ids.eventId(commandId, index),
        occurredAt: now,
        tenantId,
        commandId,
        correlationId,
        issuedBy,
      });
      next = evolveTenantWriteState(next, decided);
      const message: Message = { key: tenantId, value: JSON.stringify(envelope), partition, headers: eventHeaders(envelope, traceparent) };
      if (eventTopicRole(decided.type) === 'events') lastEvent = events.push(message) - 1;
      else lastCheck = checks.push(message) - 1;
    });
    working.set(tenantId, next);
    return (offsets) =>
      acceptedResult({
        commandId,
        correlationId,
        tenantId,
        type: command.type,
        aggregateId: decision.aggregateId,
        version: decision.version,
        position: encodeConsistencyToken({
          partition,
          eventsOffset: offsetOf(offsets, this.topics.events, lastEvent),
          checkEventsOffset: offsetOf(offsets, this.topics.checkEvents, lastCheck),
        }),
        processedAt: now,
      });
  }

  /**
   * Serialises the committed state now (it will change under the next transaction), then stores
   * it without holding up the partition; a failed save only means a longer next rebuild.
   */
  private snapshot(partition: number, state: PartitionState) {
    state.writtenSinceSnapshot = 0;
    this.snapshotInFlight = true;
    const offsetOf = (topic: string) => state.nextOffsets.get(topic) ?? 0n;
    const snapshot: PartitionSnapshot = {
      offsets: {
        events: offsetOf(this.topics.events),
        checkEvents: offsetOf(this.topics.checkEvents),
        results: offsetOf(this.topics.commandResults),
      },
      tenants: [...state.tenants].map(([tenantId, tenantState]) => ({ tenantId, state: toSnapshot(tenantState) })),
      results: [...state.results.values()],
    };
    const started = Date.now();
    // Only the count is kept: the snapshot's objects must be garbage once serialised.
    const tenants = snapshot.tenants.length;
    this.snapshots
      .save(this.topics.commands, partition, snapshot)
      .then(
        (bytes) => this.logger.log(`snapshot of partition ${partition}: ${tenants} tenants, ${bytes} bytes, ${Date.now() - started} ms`),
        (error: unknown) => this.logger.warn(`snapshot of partition ${partition} not saved: ${(error as Error).message}`),
      )
      .finally(() => (this.snapshotInFlight = false));
  }

  private deadLetter(partition: number, message: KafkaMessage, reason: string, now: Date): Message {
    const letter = toDeadLetter({
      key: message.key,
      value: message.value,
      headers: message.headers,
      sourceTopic: this.topics.commands,
      partition,
      offset: message.offset,
      reason,
      failedAt: now,
    });
    return { key: message.key, value: JSON.stringify(letter), partition, headers: { reason: reason.slice(0, 200) } };
  }
}

function offsetOf(offsets: BaseOffsets, topic: string, index: number | undefined): string | undefined {
  if (index === undefined) return undefined;
  const base = offsets.get(topic);
  if (base === undefined) throw new Error(`no base offset for ${topic}`);
  return (base + BigInt(index)).toString();
}

/** One result per offsets map, so a duplicate in the same slice repeats its original exactly. */
function memoise(result: PendingResult): PendingResult {
  let cached: { offsets: BaseOffsets; value: CommandResult } | undefined;
  return (offsets) => {
    if (cached?.offsets !== offsets) cached = { offsets, value: result(offsets) };
    return cached.value;
  };
}

function traceparentOf(headers: IHeaders | undefined): string | undefined {
  const value = headers?.traceparent;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
