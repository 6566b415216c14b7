import { once } from 'node:events';
import type { Socket } from 'node:net';
import { testKafkaClient } from '../../../test/kafka/kafka-test.helpers';
import { testEnv } from '../../../test/test-env';

// KafkaJS's own connection, logger and socket factory: what every client of the service uses.
type KafkaConnection = {
  socket: Socket;
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  processData(bytes: Buffer): void;
  send(protocol: object): Promise<{ apiVersions?: unknown[] }>;
};
const Connection = require('kafkajs/src/network/connection') as new (options: object) => KafkaConnection;
const socketFactory = (require('kafkajs/src/network/socketFactory') as () => unknown)();
const { createLogger, LEVELS } = require('kafkajs/src/loggers') as {
  createLogger(options: object): unknown;
  LEVELS: { NOTHING: number };
};
const apiVersions = require('kafkajs/src/protocol/requests/apiVersions') as { protocol(options: { version: number }): () => object };

describe('a KafkaJS connection that reconnects after its socket closed in the middle of a response', () => {
  beforeAll(() => {
    // The client factory installs the reset, as for every client of the service.
    testKafkaClient('stale-response-reset');
  });

  it('reads the new socket from its first byte, not as the rest of the old response', async () => {
    const [host, port] = testEnv.kafka.brokers[0].split(':');
    const connection = new Connection({
      host,
      port: Number(port),
      logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => undefined }),
      socketFactory,
      requestTimeout: 3_000,
      connectionTimeout: 3_000,
    });
    await connection.connect();
    try {
      expect((await connection.send(apiVersions.protocol({ version: 0 })())).apiVersions?.length).toBeGreaterThan(0);
      // What the old socket delivered before it closed: a response announced as 4,096 bytes, 7 of them.
      connection.processData(Buffer.from([0, 0, 0x10, 0, 0, 0, 0, 7, 1, 2, 3]));
      const oldSocket = connection.socket;
      await connection.disconnect();
      // As after a broker's death: the old socket has ended before the connection connects again.
      if (!oldSocket.destroyed) await once(oldSocket, 'close');
      await connection.connect();
      expect((await connection.send(apiVersions.protocol({ version: 0 })())).apiVersions?.length).toBeGreaterThan(0);
    } finally {
      await connection.disconnect();
    }
  });
});
