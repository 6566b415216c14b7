/**
 * KafkaJS 2.2.4 keeps the part of a response that has arrived so far on the Connection object
 * (`chunks`, `bytesBuffered`, `bytesNeeded`), and a connection object is reconnected, not
 * replaced, when its socket closes. Nothing clears that part: after a socket closes in the middle
 * of a response (a broker killed while it sent a fetch), the new socket's bytes are read as the
 * rest of the old response, and from then on every response of that connection is read from the
 * wrong offset: its requests time out, one after the other.
 *
 * So a connection that connects again starts with nothing buffered. It patches KafkaJS's internal
 * Connection class, so it checks its shape first and does nothing if a KafkaJS upgrade changed it.
 */

interface ConnectionState {
  chunks: Buffer[];
  bytesBuffered: number;
  bytesNeeded: number;
  isConnected(): boolean;
}

type Connect = (this: ConnectionState, ...args: unknown[]) => Promise<unknown>;

/** What a connection waits for first: the length of the next response. */
const RESPONSE_SIZE_BYTES = 4;

let installed: boolean | undefined;

/** Installs the reset once per process; returns whether KafkaJS had the expected shape. */
export function installStaleResponseReset(): boolean {
  if (installed !== undefined) return installed;
  // KafkaJS's internals have no typed entry point.
  const Connection = require('kafkajs/src/network/connection') as { prototype: { connect?: unknown; isConnected?: unknown } };
  const { connect, isConnected } = Connection.prototype;
  installed = typeof connect === 'function' && typeof isConnected === 'function';
  if (!installed) return false;
  const kafkajsConnect = connect as Connect;
  Connection.prototype.connect = function (this: ConnectionState, ...args: unknown[]) {
    if (!this.isConnected()) {
      this.chunks = [];
      this.bytesBuffered = 0;
      this.bytesNeeded = RESPONSE_SIZE_BYTES;
    }
    return kafkajsConnect.apply(this, args);
  } satisfies Connect;
  return true;
}
