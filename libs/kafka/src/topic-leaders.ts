import { Admin } from 'kafkajs';

const POLL_INTERVAL_MS = 100;

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/**
 * Waits until every partition of `topics` has a leader. KafkaJS's own `waitForLeaders` tolerates
 * only LEADER_NOT_AVAILABLE, but a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION until its
 * metadata image includes a topic the controller just created, so under load createTopics
 * failed for a topic it had in fact created (tulios/kafkajs#1563).
 */
export async function waitForTopicLeaders(admin: Admin, topics: string[], timeoutMs = 30000): Promise<void> {
  if (topics.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.filter(
        (topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0),
      );
      if (leaderless.length === 0 && metadata.length === topics.length) return;
      lastProblem = `no leader yet for ${leaderless.map((topic) => topic.name).join(', ') || 'some topics'}`;
    } catch (error) {
      if (!isRetriable(error)) throw error;
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`Kafka topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms: ${lastProblem}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
