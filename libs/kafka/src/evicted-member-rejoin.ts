/**
 * KafkaJS 2.2.4 can lose a consumer's group membership for good. When the coordinator no longer
 * knows the member (UNKNOWN_MEMBER_ID), KafkaJS's runner clears the member id and joins again; if
 * that JoinGroup fails with an error KafkaJS's join does not take for a rebalance (it gives up at
 * once on GROUP_LOAD_IN_PROGRESS, for one), the runner retries what it was doing: fetching, with
 * no member id. Its heartbeats send nothing without one, so nothing tells it again: it fetches
 * for ever as nobody's member, the group stays empty and readiness down.
 *
 * Seen in CI's chaos run: the broker stopped (SIGSTOP) for longer than its KRaft session, so on
 * its return it had evicted the members and was loading the groups again; the command
 * processor's consumer met both, one after the other, and never joined again (minutes, until the
 * run gave up).
 *
 * So a consumer without a member id does not fetch: its fetch fails with UNKNOWN_MEMBER_ID, on
 * which the runner joins again, with its back-off, until a join works (or its retries run out
 * and KafkaJS restarts the consumer, which joins too). KafkaJS joins before its first fetch and
 * stops fetching before it leaves, so no other consumer is ever refused a fetch.
 *
 * It patches KafkaJS's internal ConsumerGroup class, so it checks its shape first and does nothing
 * if a KafkaJS upgrade changed it.
 */

type Fetch = (this: { memberId: string | null }, ...args: unknown[]) => Promise<unknown>;

/** Kafka's UNKNOWN_MEMBER_ID: what the coordinator answers a member it evicted. */
const UNKNOWN_MEMBER_ID = 25;

let installed: boolean | undefined;

/** Installs the guard once per process; returns whether KafkaJS had the expected shape. */
export function installEvictedMemberRejoin(): boolean {
  if (installed !== undefined) return installed;
  // KafkaJS's internals have no typed entry point.
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as { prototype: { fetch?: unknown } };
  const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode?: (code: number) => Error };
  const fetch = ConsumerGroup.prototype.fetch;
  installed = typeof fetch === 'function' && typeof createErrorFromCode === 'function';
  if (!installed || !createErrorFromCode) return false;
  const kafkajsFetch = fetch as Fetch;
  ConsumerGroup.prototype.fetch = async function (this: { memberId: string | null }, ...args: unknown[]) {
    if (!this.memberId) throw createErrorFromCode(UNKNOWN_MEMBER_ID);
    return kafkajsFetch.apply(this, args);
  } satisfies Fetch;
  return true;
}
