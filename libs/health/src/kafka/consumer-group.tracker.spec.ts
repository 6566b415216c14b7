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

  it('follows the consumer that replaced a stalled one, and no longer the stalled one', () => {
    let now = 0;
    const stalled = fakeConsumer();
    const tracker = new ConsumerGroupTracker(stalled.consumer, 'g', { now: () => now, sessionTimeoutMs: 6000 });
    stalled.emit('GROUP_JOIN', { memberAssignment: { t: [0, 1] } });

    now = 90_000;
    const replacement = fakeConsumer();
    tracker.follow(replacement.consumer);
    expect(tracker.consumerGroupStatus()).toEqual({
      groupId: 'g',
      state: 'starting',
      assignment: {},
      since: 90_000,
      sessionTimeoutMs: 6000,
    });
    expect(stalled.listeners()).toBe(0);

    stalled.emit('GROUP_JOIN', { memberAssignment: { t: [0, 1] } });
    expect(tracker.consumerGroupStatus()).toMatchObject({ state: 'starting' });

    now = 95_000;
    replacement.emit('GROUP_JOIN', { memberAssignment: { t: [1] } });
    expect(tracker.consumerGroupStatus()).toMatchObject({ state: 'joined', assignment: { t: [1] }, since: 95_000, lastHeartbeat: 95_000 });
  });
});
