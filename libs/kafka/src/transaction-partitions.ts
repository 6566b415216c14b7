/**
 * KafkaJS 2.2.4 sends a transactional batch as one request per leader broker, in parallel, each
 * preceded by its own AddPartitionsToTxn. Right after the previous commit the coordinator still
 * writes that commit's markers and answers CONCURRENT_TRANSACTIONS ("another concurrent operation
 * on the same transaction"). When only one of the per-broker requests gets that answer, the send
 * fails while the other broker's produce is still in flight, and KafkaJS's retry sends to that
 * broker again: it waits for the first produce (one per broker at a time) and then sends the same
 * records under the next sequence numbers, so the broker takes them twice, inside the transaction
 * that then commits. With one broker there is one request and nothing to duplicate; on a cluster
 * command results were written twice this way.
 *
 * So the CONCURRENT_TRANSACTIONS answer to AddPartitionsToTxn is retried here, in place, before
 * KafkaJS sees it: the markers take milliseconds, and adding the same partitions again is
 * harmless. AddOffsetsToTxn meets the same answer when it is a transaction's first request to the
 * coordinator (the transactional sink sends it beside the output), and KafkaJS does not retry it
 * at all: it is retried here the same way. This also spares the Metadata round trip KafkaJS makes
 * before its own retry. Other failures of one broker's request during a send (a broker dying)
 * can still duplicate records; the transactional sink checks every output's base offset and
 * aborts on such a transaction.
 *
 * It patches KafkaJS's internal Broker class (not part of its typed API), so it checks its shape
 * first and does nothing if a KafkaJS upgrade changed it.
 */

type BrokerRequest = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** Attempts in place before KafkaJS gets the error (and retries the whole send). */
export const IN_PLACE_ATTEMPTS = 30;
const FIRST_DELAY_MS = 1;
const MAX_DELAY_MS = 100;

let installed: boolean | undefined;

/** Installs the retry once per process; returns whether KafkaJS had the expected shape. */
export function installTransactionPartitionsRetry(): boolean {
  if (installed !== undefined) return installed;
  // KafkaJS's internals have no typed entry point.
  const Broker = require('kafkajs/src/broker') as { prototype: Record<string, unknown> };
  const methods = ['addPartitionsToTxn', 'addOffsetsToTxn'] as const;
  installed = methods.every((name) => typeof Broker.prototype[name] === 'function');
  if (!installed) return false;
  for (const name of methods) Broker.prototype[name] = retriedWhileConcurrent(Broker.prototype[name] as BrokerRequest);
  return true;
}

function retriedWhileConcurrent(request: BrokerRequest): BrokerRequest {
  return async function (this: unknown, ...args: unknown[]) {
    let delayMs = FIRST_DELAY_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await request.apply(this, args);
      } catch (error) {
        if ((error as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || attempt >= IN_PLACE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(MAX_DELAY_MS, delayMs * 1.5);
      }
    }
  };
}
