/** The KafkaJS client of this role. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** Topic names with the configured prefix (TopicNames of libs/kafka). */
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');
/** Command results each partition remembers for `commandId` idempotency (PROCESSOR_REMEMBERED_RESULTS). */
export const REMEMBERED_RESULTS = Symbol('REMEMBERED_RESULTS');
