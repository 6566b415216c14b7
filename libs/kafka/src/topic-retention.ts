import { TopicRole } from './topic-names';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Kafka's `retention.ms` value for "keep forever". */
export const RETAIN_FOREVER = -1;

/** Default retention of each topic (asyncapi.yaml, channels). `events` is the event store: never deleted. */
export const TOPIC_RETENTION_MS: Readonly<Record<TopicRole, number>> = {
  commands: 7 * DAY_MS,
  commandResults: 7 * DAY_MS,
  events: RETAIN_FOREVER,
  checkEvents: 30 * DAY_MS,
  commandsDlq: 30 * DAY_MS,
};
