import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv } from '../../../test/test-env';
import { createKafkaClient } from './kafka-client.factory';

/** Blocks the event loop, as a starved or busy process does (a saturated CPU, GC, a large JSON parse). */
function stallEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

/**
 * KafkaJS times a connect with a timer; when the process stalls while a connect is under way, the
 * timer runs before the socket's connect event is seen, however quickly the broker accepted. With
 * KafkaJS's 1 s default, a starved process failed its connects after a broker restart (cluster
 * chaos run: partition loads failing with "Connection timeout", then "write after end").
 */
describe('Kafka clients made by createKafkaClient, against the real broker', () => {
  afterEach(() => jest.restoreAllMocks());

  /** Connects an admin while the process stalls 1.5 s right after opening the socket. */
  async function connectThroughStall(kafka: Kafka): Promise<void> {
    const connect = net.connect.bind(net) as (...args: unknown[]) => net.Socket;
    jest.spyOn(net, 'connect').mockImplementationOnce(((...args: unknown[]) => {
      const socket = connect(...args);
      stallEventLoop(1500);
      return socket;
    }) as typeof net.connect);
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  }

  it('connect through an event-loop stall of 1.5 s', async () => {
    await connectThroughStall(
      createKafkaClient({ ...testEnv.kafka, clientId: 'stall-spec' }, { logLevel: logLevel.NOTHING, retry: { retries: 0 } }),
    );
  });

  it('(KafkaJS with its own 1 s connection timeout does not: the reason for ours)', async () => {
    const defaults = new Kafka({
      clientId: 'stall-spec-default',
      brokers: testEnv.kafka.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    await expect(connectThroughStall(defaults)).rejects.toThrow(/Connection timeout/);
  });
});
