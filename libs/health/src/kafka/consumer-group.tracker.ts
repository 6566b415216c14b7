import type { Consumer } from 'kafkajs';
import { ConsumerGroupState, ConsumerGroupStatus, ConsumerGroupStatusSource } from './consumer-group.status';

/**
 * Follows a KafkaJS consumer's instrumentation events to know whether it holds its partitions.
 * Create it before `consumer.connect()`, so the first join is not missed.
 */
export class ConsumerGroupTracker implements ConsumerGroupStatusSource {
  private status: ConsumerGroupStatus;
  private readonly removers: (() => void)[] = [];
  private readonly now: () => number;

  /** `sessionTimeoutMs` must be the consumer's own (KafkaJS's default is 30 s). */
  constructor(consumer: Consumer, groupId: string, options: { sessionTimeoutMs?: number; now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.status = { groupId, state: 'starting', assignment: {}, since: this.now(), sessionTimeoutMs: options.sessionTimeoutMs ?? 30000 };
    this.attach(consumer);
  }

  /** Follows `consumer` instead, from its start: a stalled consumer was replaced by it. */
  follow(consumer: Consumer): void {
    this.detach();
    const { lastHeartbeat: _ofTheStalledOne, ...rest } = this.status;
    this.status = rest;
    this.enter('starting', { assignment: {} });
    this.attach(consumer);
  }

  private attach(consumer: Consumer): void {
    const { GROUP_JOIN, HEARTBEAT, REBALANCING, CRASH, STOP, DISCONNECT } = consumer.events;
    this.removers.push(
      consumer.on(GROUP_JOIN, ({ payload }) => this.enter('joined', { assignment: payload.memberAssignment, lastHeartbeat: this.now() })),
      consumer.on(HEARTBEAT, () => {
        this.status = { ...this.status, lastHeartbeat: this.now() };
      }),
      consumer.on(REBALANCING, () => this.enter('rebalancing')),
      consumer.on(CRASH, ({ payload }) => this.enter('crashed', { error: payload.error?.message ?? String(payload.error) })),
      consumer.on(STOP, () => this.enter('stopped', { assignment: {} })),
      consumer.on(DISCONNECT, () => this.enter('stopped', { assignment: {} })),
    );
  }

  consumerGroupStatus(): ConsumerGroupStatus {
    return this.status;
  }

  /** Stops listening (the consumer's listeners would otherwise keep this object alive). */
  detach(): void {
    for (const remove of this.removers.splice(0)) remove();
  }

  private enter(state: ConsumerGroupState, changes: Partial<ConsumerGroupStatus> = {}): void {
    const { error: _previousError, ...rest } = this.status;
    this.status = { ...rest, ...changes, state, since: state === this.status.state ? this.status.since : this.now() };
  }
}

/** Shorthand: `registry.register(trackConsumerGroup(consumer, groupId))`. */
export function trackConsumerGroup(consumer: Consumer, groupId: string, options: { sessionTimeoutMs?: number } = {}): ConsumerGroupTracker {
  return new ConsumerGroupTracker(consumer, groupId, options);
}
