import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  acceptedResult,
  asDuplicate,
  commandAddress,
  CommandResult,
  encodeConsistencyToken,
  eventHeaders,
  eventTopicRole,
  parseCommandMessage,
  ParsedCommandMessage,
  rejectedResult,
  toDeadLetter,
  toEventEnvelope,
  EventEnvelope,
} from '@vinsight/contracts';
import { DomainCommand, evolveTenantWriteStateAt, TenantWriteState, toSnapshot } from '@vinsight/domain';
import { newIv, PersonalDataVault, UserRef, userRefKey } from '@vinsight/personal-data';
import { Slice, SliceProcessor, TopicNames, TopicPartition, TransactionOutput, TransactionReceipt } from '@vinsight/kafka';
import { CLOCK, Clock } from '@vinsight/runtime';
import { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { CommandDeciders } from './handlers/command-deciders';
import { asInfrastructure, InfrastructureFailure } from './infrastructure-failure';
import { personalDataOwner, sealPersonalFields } from './personal-data/seal-personal-fields';
import { PartitionState } from './partition-state';
import { PartitionStateLoader } from './partition-state.loader';
import { ResultOrigin } from './recent-results';
import { EVENT_IDS, EventIdGenerator } from './ports';
import { resultPosition, WrittenSoFar } from './result-position';
import { PartitionSnapshot, SnapshotStore } from './snapshot.store';
import { TOPIC_NAMES } from './tokens';

/** Records written to a partition between two snapshots of its state. */
export const SNAPSHOT_EVERY_EVENTS = 100_000;

/** What the handler needs of the personal-data vault: a slice's data keys, and erasure. */
export type PersonalDataKeysPort = Pick<PersonalDataVault, 'dataKeysFor' | 'destroy'>;

/** An event whose record is written once its personal fields are sealed (after the slice is decided). */
interface UnsealedEvent {
  readonly message: Message;
  readonly envelope: EventEnvelope;
  readonly owner: UserRef;
}

/** What a slice's decisions ask of the personal-data keys, done once per slice. */
interface PersonalDataWork {
  readonly unsealed: UnsealedEvent[];
  readonly erased: UserRef[];
}

/** A result whose consistency position is known only once the events' offsets are. */
type PendingResult = (position: string) => CommandResult;

/** A command's result, with how much the slice had written once it was decided (its position). */
interface Answer {
  readonly result: PendingResult;
  readonly written: WrittenSoFar;
  /** The result's `processedAt`; absent for a duplicate, whose result is the original's. */
  readonly decidedAt?: Date;
}

export type CommandOutcome = 'accepted' | 'rejected' | 'duplicate' | 'dead_lettered';

/** A slice's Kafka transaction, and what becomes the partition's state once it commits. */
export interface CommandSliceOutput extends TransactionOutput {
  /**
   * The state the slice was decided against: a partition released meanwhile (and loaded again
   * after fencing) has a new one, which a late commit of the old owner must not touch.
   */
  readonly state: PartitionState;
  /** The tenants' write states as the slice's decisions left them. */
  readonly working: ReadonlyMap<string, TenantWriteState>;
  readonly results: readonly CommandResult[];
  /** What each result was made from (none for duplicates), for remembering it cheaply. */
  readonly origins: readonly (ResultOrigin | undefined)[];
  readonly deadLetters: number;
  readonly eventsWritten: number;
  /** When the processor took the slice (elapsedClock), for the commands' durations. */
  readonly takenAt: number;
}

/**
 * Turns a slice of one partition's commands into events, results and dead letters, in one call.
 * Decisions are made against a working copy of the partition's state, which becomes the real
 * state only when the Kafka transaction carrying them commits (`committed`); a failed
 * transaction releases the partition, whose state is then rebuilt from what was committed.
 */
@Injectable()
export class CommandPartitionHandler implements SliceProcessor<KafkaMessage, CommandSliceOutput, TransactionReceipt> {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly logger = new Logger('CommandPartitionHandler');
  /**
   * One snapshot at a time: under even load every partition reaches the threshold together, and
   * each snapshot holds its serialised state (tens of MB) until Postgres has it.
   */
  private snapshotInFlight = false;
  /**
   * Called once per committed command (metrics): its type as sent, its outcome, the error code
   * of a rejection, and the seconds from the processor taking the command into a transaction to
   * that transaction's commit.
   */
  onOutcome: (type: string, outcome: CommandOutcome, code: string | undefined, seconds: number) => void = () => undefined;
  /** Monotonic milliseconds, for durations (not the domain's clock, which a test may fix). */
  elapsedClock: () => number = () => performance.now();

  constructor(
    private readonly deciders: CommandDeciders,
    private readonly loader: PartitionStateLoader,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_IDS) private readonly ids: EventIdGenerator,
    private readonly snapshots: SnapshotStore,
    @Inject(PersonalDataVault) private readonly personalData: PersonalDataKeysPort,
  ) {}

  /** Take a snapshot of a partition after this many events were written since the last one. */
  snapshotEvery = SNAPSHOT_EVERY_EVENTS;

  async load(partitions: readonly TopicPartition[]): Promise<void> {
    for (const [partition, state] of await this.loader.load(partitions.map((p) => p.partition))) this.partitions.set(partition, state);
  }

  release({ partition }: TopicPartition): void {
    this.partitions.delete(partition);
  }

  async process({ partition, records: messages }: Slice<KafkaMessage>): Promise<CommandSliceOutput> {
    const takenAt = this.elapsedClock();
    const state = this.partitions.get(partition);
    if (!state) throw new Error(`partition ${partition} is not loaded`);
    const working = new Map<string, TenantWriteState>();
    const pending = new Map<string, PendingResult>();
    const answers: Answer[] = [];
    const events: Message[] = [];
    const checks: Message[] = [];
    const deadLetters: Message[] = [];
    const personal: PersonalDataWork = { unsealed: [], erased: [] };
    const writtenSoFar = (): WrittenSoFar => ({ events: events.length, checks: checks.length });

    for (const message of messages) {
      const now = this.clock.now();
      const written = writtenSoFar();
      let parsed: ParsedCommandMessage | undefined;
      try {
        parsed = parseCommandMessage({ key: message.key, value: message.value, now });
        if (parsed.kind === 'malformed') {
          deadLetters.push(this.deadLetter(partition, message, parsed.reason, now));
          continue;
        }
        const commandId = parsed.kind === 'command' ? parsed.command.metadata.commandId : parsed.commandId;
        const earlier = pending.get(commandId);
        const known = state.results.get(commandId);
        if (earlier || known) {
          // The original result, positioned where the partition stands now: a retry's token then
          // also covers whatever the caller did between the original and the retry.
          answers.push({ result: (position) => asDuplicate(earlier ? earlier(position) : { ...known!, position }), written });
          continue;
        }
        let result: PendingResult;
        if (parsed.kind === 'rejected') {
          const rejected = parsed;
          result = (position) => rejectedResult({ ...rejected, processedAt: now, position });
        } else {
          result = await this.decide(partition, parsed.command, working, state, events, checks, personal, traceparentOf(message.headers));
        }
        pending.set(commandId, result);
        answers.push({ result, written: writtenSoFar(), decidedAt: now });
      } catch (error) {
        // Kafka or Postgres down: the slice is retried. Anything else is this command's alone;
        // retrying would meet it again for ever, so the command gets its answer and the partition goes on.
        if (error instanceof InfrastructureFailure) throw error;
        events.length = written.events;
        checks.length = written.checks;
        const reference = randomUUID();
        const where = `${this.topics.commands}[${partition}]@${message.offset}`;
        const addressed =
          parsed?.kind === 'command'
            ? { ...parsed.command.metadata, type: parsed.command.type }
            : parsed?.kind === 'rejected'
              ? parsed
              : commandAddress({ key: message.key, value: message.value });
        this.logger.error(
          `internal error ${reference} handling ${where} (commandId ${addressed?.commandId ?? 'unknown'}): ${errorText(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
        if (!addressed) {
          deadLetters.push(this.deadLetter(partition, message, `internal error (reference ${reference})`, now));
          continue;
        }
        const failed: PendingResult = (position) =>
          rejectedResult({
            commandId: addressed.commandId,
            correlationId: addressed.correlationId,
            tenantId: addressed.tenantId,
            type: addressed.type,
            error: { code: 'INTERNAL_ERROR', message: `an internal error occurred; reference ${reference}` },
            processedAt: now,
            position,
          });
        pending.set(addressed.commandId, failed);
        answers.push({ result: failed, written, decidedAt: now });
      }
    }

    await this.sealAndShred(personal);

    // This partition of every output topic has one writer, so the slice's first records get the
    // offsets the partition's state says come next; the sink checks that the broker agrees.
    const bases = new Map([this.topics.events, this.topics.checkEvents].map((topic) => [topic, state.nextOffsets.get(topic) ?? 0n]));
    const inputs = { partition, topics: this.topics, bases, committedNext: state.nextOffsets };
    const positions = answers.map(({ written }) => resultPosition(inputs, written));
    const results = answers.map(({ result }, i) => result(encodeConsistencyToken(positions[i])));
    const origins = answers.map(({ decidedAt }, i) => (decidedAt ? { position: positions[i], processedAt: decidedAt } : undefined));
    const resultMessages = results.map((r): Message => ({
      key: r.tenantId ?? null,
      value: JSON.stringify(r),
      partition,
      headers: { correlationId: r.correlationId },
    }));
    return {
      messages: [
        { topic: this.topics.events, messages: events },
        { topic: this.topics.checkEvents, messages: checks },
        { topic: this.topics.commandsDlq, messages: deadLetters },
        { topic: this.topics.commandResults, messages: resultMessages },
      ],
      // Results too: a retried send that wrote them twice inside the transaction shows here.
      assumedBaseOffsets: new Map([...bases, [this.topics.commandResults, state.nextOffsets.get(this.topics.commandResults) ?? 0n]]),
      state,
      working,
      results,
      origins,
      deadLetters: deadLetters.length,
      eventsWritten: events.length + checks.length,
      takenAt,
    };
  }

  committed({ partition }: Slice<KafkaMessage>, output: CommandSliceOutput, receipt: TransactionReceipt): void {
    const { state } = output;
    for (const [tenantId, tenantState] of output.working) state.tenants.set(tenantId, tenantState);
    output.results.forEach((result, i) => {
      if (!result.duplicate) state.remember(result, output.origins[i]);
    });
    for (const [topic, offset] of receipt.nextOutputOffsets) state.nextOffsets.set(topic, offset);
    state.writtenSinceSnapshot += output.eventsWritten;
    // A partition that has to wait for another's snapshot takes its own after a later commit.
    if (state.writtenSinceSnapshot >= this.snapshotEvery && !this.snapshotInFlight) this.snapshot(partition, state);
    // Counted once committed: a slice that failed and is redone must not count its commands twice.
    const seconds = (this.elapsedClock() - output.takenAt) / 1000;
    for (let i = 0; i < output.deadLetters; i++) this.onOutcome('unknown', 'dead_lettered', undefined, seconds);
    for (const result of output.results) {
      if (result.duplicate) this.onOutcome(result.type ?? 'unknown', 'duplicate', undefined, seconds);
      else if (result.status === 'rejected') this.onOutcome(result.type ?? 'unknown', 'rejected', result.error.code, seconds);
      else this.onOutcome(result.type, 'accepted', undefined, seconds);
    }
  }

  private async decide(
    partition: number,
    command: DomainCommand,
    working: Map<string, TenantWriteState>,
    state: PartitionState,
    events: Message[],
    checks: Message[],
    personal: PersonalDataWork,
    traceparent: string | undefined,
  ): Promise<PendingResult> {
    const { tenantId, commandId, correlationId, issuedBy, now } = command.metadata;
    const current = working.get(tenantId) ?? state.tenant(tenantId);
    const decision = await this.deciders.decide(command, current);
    if (!decision.ok) {
      return (position) =>
        rejectedResult({ commandId, correlationId, tenantId, type: command.type, error: decision.error, processedAt: now, position });
    }
    let next = current;
    decision.events.forEach((decided, index) => {
      const envelope = toEventEnvelope(decided, {
        eventId: this.ids.eventId(commandId, index),
        occurredAt: now,
        tenantId,
        commandId,
        correlationId,
        issuedBy,
      });
      next = evolveTenantWriteStateAt(next, decided, now);
      const owner = personalDataOwner(envelope);
      const message: Message = { key: tenantId, value: null, partition, headers: eventHeaders(envelope, traceparent) };
      // Personal fields are sealed for the whole slice at once (one key-store round trip), below.
      if (owner === null) message.value = JSON.stringify(envelope);
      else personal.unsealed.push({ message, envelope, owner });
      if (decided.type === 'UserErased') personal.erased.push({ tenantId, userId: decided.aggregateId });
      if (eventTopicRole(decided.type) === 'events') events.push(message);
      else checks.push(message);
    });
    working.set(tenantId, next);
    return (position) =>
      acceptedResult({
        commandId,
        correlationId,
        tenantId,
        type: command.type,
        aggregateId: decision.aggregateId,
        version: decision.version,
        position,
        processedAt: now,
      });
  }

  /**
   * Seals the slice's personal fields under their users' data keys (created in one statement for
   * the slice), then destroys the keys of the users it erases. Both happen before the slice's
   * transaction commits: a key must be stored before anything sealed under it is written, and an
   * erasure must not be reported done while the key still exists. If the transaction then aborts,
   * the retried commands find the keys as left here (a registration reuses its key, an erasure
   * finds none), which is what they decide again anyway.
   */
  private async sealAndShred({ unsealed, erased }: PersonalDataWork): Promise<void> {
    if (unsealed.length > 0) {
      const keys = await asInfrastructure('postgres', () => this.personalData.dataKeysFor(unsealed.map((e) => e.owner)));
      for (const { message, envelope, owner } of unsealed) {
        const key = keys.get(userRefKey(owner));
        if (key === undefined) throw new InfrastructureFailure('postgres', new Error(`no data key stored for user ${owner.userId}`));
        message.value = JSON.stringify(sealPersonalFields(envelope, key, newIv()));
      }
    }
    if (erased.length > 0) await asInfrastructure('postgres', () => this.personalData.destroy(erased));
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function traceparentOf(headers: IHeaders | undefined): string | undefined {
  const value = headers?.traceparent;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
