/** The KafkaJS client of this role. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** Topic names with the configured prefix (TopicNames of libs/kafka). */
export const TOPIC_NAMES = Symbol('TOPIC_NAMES');
/** Command results each partition remembers for `commandId` idempotency (PROCESSOR_REMEMBERED_RESULTS). */
export const REMEMBERED_RESULTS = Symbol('REMEMBERED_RESULTS');
/** `{ emailHashOf }`: the keyed email hash the deciders and the upcasters use (DecisionPorts, UpcastContext). */
export const EMAIL_HASH = Symbol('EMAIL_HASH');
