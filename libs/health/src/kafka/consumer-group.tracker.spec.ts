import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { ConsumerGroupTracker } from './consumer-group.tracker';

/** The part of a KafkaJS consumer the tracker uses: its instrumentation events. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const events = {
    GROUP_JOIN: 'consumer.group_join',
    HEARTBEAT: 'consumer.heartbeat',
    REBALANCING: 'consumer.rebalancing',
    CRASH: 'consumer.crash',
    STOP: 'consumer.stop',
    DISCONNECT: 'consumer.disconnect',
  };
  const consumer = {
    events,
    on: (event: string, listener: (e: unknown) => void) => {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
  } as unknown as Consumer;
  const emit = (event: keyof typeof events, payload: Record<string, unknown> = {}) => emitter.emit(events[event], { payload });
  return { consumer, emit, listeners: () => emitter.eventNames().length };
}

describe('ConsumerGroupTracker', () => {
  it('follows join, heartbeat, rebalance, crash and stop', () => {
    let now = 0;
    const { consumer, emit, listeners } = fakeConsumer();
    const tracker = new ConsumerGroupTracker(consumer, 'g', { now: () => now, sessionTimeoutMs: 10000 });
    expect(tracker.consumerGroupStatus()).toMatchObject({ state: 'starting', since: 0 });

    now = 100;
    emit('GROUP_JOIN', { memberAssignment: { t: [0, 2] } });
    expect(tracker.consumerGroupStatus()).toEqual({
      groupId: 'g',
      state: 'joined',
      assignment: { t: [0, 2] },
      since: 100,
      lastHeartbeat: 100,
      sessionTimeoutMs: 10000,
    });

    now = 3100;
    emit('HEARTBEAT');
    expect(tracker.consumerGroupStatus()).toMatchObject({ state: 'joined', since: 100, lastHeartbeat: 3100 });

    now = 4000;
    emit('REBALANCING');
    expect(tracker.consumerGroupStatus()).toMatchObject({ state: 'rebalancing', since: 4000 });

    emit('CRASH', { error: new Error('coordinator gone'), restart: true });
    expect(tracker.consumerGroupStatus()).toMatchObject({ state: 'crashed', error: 'coordinator gone' });

    emit('GROUP_JOIN', { memberAssignment: { t: [1] } });
    expect(tracker.consumerGroupStatus()).not.toHaveProperty('error');

    emit('STOP');
    expect(tracker.consumerGroupStatus()).toMatchObject({ state: 'stopped', assignment: {} });

    tracker.detach();
    expect(listeners()).toBe(0);
  });
});
