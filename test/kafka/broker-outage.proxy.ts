import * as net from 'node:net';
import { ISocketFactory, Kafka, logLevel, RetryOptions } from 'kafkajs';
import { testEnv } from '../test-env';

/**
 * A TCP proxy of the test's own in front of the test broker, for a client whose every connection
 * goes through it: `kill()` drops its connections and refuses new ones, as a broker killed with -9
 * does; `restart()` accepts again on the same port; `freezeExisting()` leaves the open connections
 * open but carries nothing more on them (requests sent there are never answered), while new
 * connections work. Plaintext only.
 */
export class BrokerOutageProxy {
  private readonly accepted = new Set<net.Socket>();
  private readonly server: net.Server;
  private port = 0;

  private constructor(private readonly broker: { host: string; port: number }) {
    this.server = net.createServer((socket) => {
      const upstream = net.connect(this.broker);
      this.accepted.add(socket).add(upstream);
      for (const [from, to] of [
        [socket, upstream],
        [upstream, socket],
      ]) {
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          to.destroy();
          this.accepted.delete(from);
        });
      }
    });
  }

  static async start(): Promise<BrokerOutageProxy> {
    const [broker] = testEnv.kafka.brokers;
    const at = broker.lastIndexOf(':');
    const proxy = new BrokerOutageProxy({ host: broker.slice(0, at), port: Number(broker.slice(at + 1)) });
    await proxy.restart();
    return proxy;
  }

  /** A client of the test broker whose connections all go through this proxy. */
  client(clientId: string, retry: RetryOptions = { retries: 1, initialRetryTime: 50 }, requestTimeout?: number): Kafka {
    const socketFactory: ISocketFactory = ({ onConnect }) => net.connect({ host: '127.0.0.1', port: this.port }, onConnect);
    return new Kafka({ clientId, brokers: testEnv.kafka.brokers, socketFactory, logLevel: logLevel.NOTHING, retry, requestTimeout });
  }

  /** Every connection open now stays open and carries nothing more, either way; new ones work. */
  freezeExisting(): void {
    // Each open connection and its upstream are in `accepted`, each piped to the other.
    for (const socket of this.accepted) {
      socket.unpipe();
      socket.pause();
    }
  }

  async kill(): Promise<void> {
    await new Promise((resolve) => {
      this.server.close(resolve);
      for (const socket of this.accepted) socket.destroy();
    });
  }

  async restart(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (this.server.listening) await this.kill();
  }
}
