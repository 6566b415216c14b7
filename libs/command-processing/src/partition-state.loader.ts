import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandResult, EventEnvelope, eventFromEnvelope } from '@vinsight/contracts';
import { readPartitionsToEnd, TopicNames } from '@vinsight/kafka';
import { Kafka, KafkaMessage } from 'kafkajs';
import { PartitionState } from './partition-state';
import { KAFKA_CLIENT, TOPIC_NAMES } from './tokens';

/**
 * Rebuilds the write model of newly assigned partitions from the topics this processor wrote:
 * `events` (the event store), `check-events` (seen check ids and last statuses) and
 * `command-results` (commandId idempotency across restarts). Runs after the partitions'
 * transactional producers fenced older owners, so what it reads is final.
 */
@Injectable()
export class PartitionStateLoader {
  private readonly logger = new Logger('PartitionStateLoader');

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(TOPIC_NAMES) private readonly topics: TopicNames,
  ) {}

  async load(partitions: number[]): Promise<Map<number, PartitionState>> {
    const started = Date.now();
    const states = new Map(partitions.map((p) => [p, new PartitionState()]));
    const fromStart = new Map(partitions.map((p) => [p, 0n]));
    const applyEvents = (partition: number, messages: KafkaMessage[]) => {
      const state = states.get(partition)!;
      for (const message of messages) {
        const envelope = parseJson<EventEnvelope>(message, 'event');
        state.apply(envelope.tenantId, eventFromEnvelope(envelope));
      }
    };
    const events = await readPartitionsToEnd(this.kafka, this.topics.events, fromStart, applyEvents, { groupPrefix: 'vinsight.rebuild' });
    const checks = await readPartitionsToEnd(this.kafka, this.topics.checkEvents, fromStart, applyEvents, { groupPrefix: 'vinsight.rebuild' });
    const results = await readPartitionsToEnd(
      this.kafka,
      this.topics.commandResults,
      fromStart,
      (partition, messages) => {
        const state = states.get(partition)!;
        for (const message of messages) {
          const result = parseJson<CommandResult>(message, 'command result');
          if (!result.duplicate) state.remember(result);
        }
      },
      { groupPrefix: 'vinsight.rebuild' },
    );
    this.logger.log(
      `rebuilt partitions ${partitions.join(',')} from ${events.messages} events, ${checks.messages} check events, ` +
        `${results.messages} results in ${Date.now() - started} ms`,
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
