/**
 * KafkaJS 2.2.4 asks a broker where the coordinator is (a FindCoordinator round trip) before
 * every request a transactional producer sends to it: AddPartitionsToTxn, AddOffsetsToTxn,
 * TxnOffsetCommit (group coordinator) and EndTxn. That is four round trips of nine per
 * transaction spent on an answer that changes only when a coordinator moves. The command
 * processor runs hundreds of transactions per second on 2 cores, so this cache remembers the
 * answers and forgets all of them as soon as any request to any broker fails (other than the
 * routine CONCURRENT_TRANSACTIONS) or a connection to one is refused: KafkaJS retries after such
 * an error, and its retry looks the coordinator up afresh, exactly as it did without the cache.
 * A coordinator that moved while nothing failed is found on the first request sent to the old one.
 *
 * It patches KafkaJS's internal Cluster and Broker classes (not part of its typed API), so it
 * checks their shape first and does nothing if a KafkaJS upgrade changed them.
 */

type Lookup = (this: unknown, request: { groupId: string; coordinatorType?: number }) => Promise<unknown>;
type BrokerRequest = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/**
 * Calls whose failure clears the cache: every request a Broker sends, and its connect. A
 * coordinator's broker killed with -9 refuses connections: its requests never get sent, and
 * without the connect here every retry would look the dead coordinator up in the cache again and
 * go on connecting to it until the process restarted.
 */
const REQUESTS = [
  'connect',
  'metadata',
  'produce',
  'fetch',
  'heartbeat',
  'findGroupCoordinator',
  'joinGroup',
  'leaveGroup',
  'syncGroup',
  'listOffsets',
  'offsetCommit',
  'offsetFetch',
  'describeGroups',
  'initProducerId',
  'addPartitionsToTxn',
  'addOffsetsToTxn',
  'txnOffsetCommit',
  'endTxn',
] as const;

/** Errors that say nothing about where the coordinator is (the broker answered as one). */
const NOT_ABOUT_THE_COORDINATOR = new Set(['CONCURRENT_TRANSACTIONS']);

let installed: boolean | undefined;

/** Installs the cache once per process; returns whether KafkaJS had the expected shape. */
export function installCoordinatorCache(): boolean {
  if (installed !== undefined) return installed;
  // KafkaJS's internals have no typed entry point.
  const Cluster = require('kafkajs/src/cluster') as { prototype: Record<string, unknown> };
  const Broker = require('kafkajs/src/broker') as { prototype: Record<string, unknown> };
  const lookup = Cluster.prototype.findGroupCoordinatorMetadata;
  installed = typeof lookup === 'function' && REQUESTS.every((name) => typeof Broker.prototype[name] === 'function');
  if (!installed) return false;

  const answers = new Map<string, Promise<unknown>>();
  const findOriginal = lookup as Lookup;
  Cluster.prototype.findGroupCoordinatorMetadata = function (this: unknown, request: { groupId: string; coordinatorType?: number }) {
    const key = `${request.coordinatorType ?? 0}:${request.groupId}`;
    let answer = answers.get(key);
    if (!answer) {
      answer = findOriginal.call(this, request);
      answers.set(key, answer);
      // A failed lookup is not remembered.
      answer.catch(() => answers.get(key) === answer && answers.delete(key));
    }
    return answer;
  } satisfies Lookup;

  for (const name of REQUESTS) {
    const original = Broker.prototype[name] as BrokerRequest;
    Broker.prototype[name] = async function (this: unknown, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } catch (error) {
        if (!NOT_ABOUT_THE_COORDINATOR.has((error as { type?: string }).type ?? '')) answers.clear();
        throw error;
      }
    } satisfies BrokerRequest;
  }
  return true;
}
