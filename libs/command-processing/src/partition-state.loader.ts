import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CommandResult, EventEnvelope, eventFromEnvelope, UpcastContext } from '@vinsight/contracts';
import { fromSnapshot, UnsupportedSnapshotError } from '@vinsight/domain';
import { readPartitionsToEnd, TopicNames } from '@vinsight/kafka';
import { Kafka, KafkaMessage } from 'kafkajs';
import { PartitionState, REMEMBERED_RESULTS_PER_PARTITION } from './partition-state';
import { SnapshotStore } from './snapshot.store';
import { EMAIL_HASH, KAFKA_CLIENT, REMEMBERED_RESULTS, TOPIC_NAMES } from './tokens';

/**
 * Rebuilds the write model of newly assigned partitions: the latest snapshot, if any, then the
 * records written after it to `events` (the event store), `check-events` (seen check ids, last
 * statuses) and `command-results` (commandId idempotency). Runs after the partitions'
 * transactional producers fenced older owners, so what it reads is final.
 */
@Injectable()
export class PartitionStateLoader {
  private readonly logger = new Logger('PartitionStateLoader');

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
    private readonly snapshots: SnapshotStore,
    @Inject(EMAIL_HASH) private readonly upcastContext: UpcastContext,
    @Optional() @Inject(REMEMBERED_RESULTS) private readonly rememberedResults: number = REMEMBERED_RESULTS_PER_PARTITION,
  ) {}

  async load(partitions: number[]): Promise<Map<number, PartitionState>> {
    const started = Date.now();
    const snapshots = await this.snapshots.load(this.topics.commands, partitions);
    const states = new Map<number, PartitionState>();
    const from = { events: new Map<number, bigint>(), checkEvents: new Map<number, bigint>(), results: new Map<number, bigint>() };
    for (const partition of partitions) {
      const state = new PartitionState(this.rememberedResults);
      let snapshot = snapshots.get(partition);
      try {
        if (snapshot) for (const tenant of snapshot.tenants) state.tenants.set(tenant.tenantId, fromSnapshot(tenant.state));
      } catch (error) {
        if (!(error instanceof UnsupportedSnapshotError)) throw error;
        // An older shape (say, one with emails in the clear): the log rebuilds the same state.
        this.logger.warn(`snapshot of partition ${partition} ignored (${error.message}): replaying the partition from its start`);
        state.tenants.clear();
        snapshot = undefined;
      }
      if (snapshot) for (const result of snapshot.results) state.remember(result);
      from.events.set(partition, snapshot?.offsets.events ?? 0n);
      from.checkEvents.set(partition, snapshot?.offsets.checkEvents ?? 0n);
      from.results.set(partition, snapshot?.offsets.results ?? 0n);
      states.set(partition, state);
    }
    const applyEvents = (partition: number, messages: KafkaMessage[]) => {
      const state = states.get(partition)!;
      for (const message of messages) {
        const envelope = parseJson<EventEnvelope>(message, 'event');
        // Upcast to the current version; a version newer than this code throws: deciding on a guess is worse than not loading.
        state.apply(envelope.tenantId, eventFromEnvelope(envelope, this.upcastContext), new Date(envelope.occurredAt));
      }
    };
    const options = { groupPrefix: 'vinsight.rebuild' };
    const events = await readPartitionsToEnd(this.kafka, this.topics.events, from.events, applyEvents, options);
    const checks = await readPartitionsToEnd(this.kafka, this.topics.checkEvents, from.checkEvents, applyEvents, options);
    const results = await readPartitionsToEnd(
      this.kafka,
      this.topics.commandResults,
      from.results,
      (partition, messages) => {
        const state = states.get(partition)!;
        for (const message of messages) {
          const result = parseJson<CommandResult>(message, 'command result');
          if (!result.duplicate) state.remember(result);
        }
      },
      options,
    );
    for (const [partition, state] of states) {
      state.nextOffsets.set(this.topics.events, events.endOffsets.get(partition)!);
      state.nextOffsets.set(this.topics.checkEvents, checks.endOffsets.get(partition)!);
      state.nextOffsets.set(this.topics.commandResults, results.endOffsets.get(partition)!);
    }
    this.logger.log(
      `rebuilt partitions ${partitions.join(',')} (${snapshots.size} from snapshots) from ${events.messages} events, ` +
        `${checks.messages} check events, ${results.messages} results in ${Date.now() - started} ms`,
    );
    return states;
  }
}

function parseJson<T>(message: KafkaMessage, what: string): T {
  try {
    return JSON.parse(message.value?.toString('utf8') ?? 'null') as T;
  } catch (error) {
    // Only this processor writes these topics; an unreadable record means the store is damaged,
    // and guessing past it could decide commands against the wrong state.
    throw new Error(`unreadable ${what} at offset ${message.offset}: ${(error as Error).message}`);
  }
}
