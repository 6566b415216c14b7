// First: it must reach Node's module cache before KafkaJS is loaded (see the module).
import './partition-grouping';

export type { KafkaSettings } from './kafka.settings';
export type { KafkaLogger } from './kafka-logger';
export { kafkaLogCreator } from './kafka-logger';
export type { KafkaClientOptions } from './kafka-client.factory';
export { createKafkaClient } from './kafka-client.factory';
export type { TopicNames, TopicRole } from './topic-names';
export { topicNames } from './topic-names';
export { RETAIN_FOREVER, TOPIC_RETENTION_MS } from './topic-retention';
export type { EnsureTopicsResult, PartitionLag, TopicLayout } from './topic-admin';
export { TopicAdmin } from './topic-admin';
export { RenewingAdmin } from './renewing-admin';
export { waitForTopicLeaders } from './topic-leaders';
export type { PartitionBatchHandler, ReadToEndResult } from './partition-reader';
export { readPartitionsToEnd } from './partition-reader';
export type { PartitionSink, Slice, SliceProcessor, TopicPartition, WriteReceipt } from './pipeline/partition-pipeline.ports';
export { topicPartitionKey } from './pipeline/partition-pipeline.ports';
export type { PartitionPipelineOptions } from './pipeline/partition-pipeline';
export { PartitionPipeline } from './pipeline/partition-pipeline';
export type { BaseOffsets, OutputMessages, TransactionOutput, TransactionReceipt } from './pipeline/kafka-transaction.sink';
export type { TransactionalPipeline, TransactionalPipelineOptions } from './pipeline/transactional-pipeline';
export { CONSUMER_RETRY, PROCESSOR_SESSION_TIMEOUT_MS, transactionalPipeline } from './pipeline/transactional-pipeline';
export type { CommandResultLike } from './command-client';
export { CommandClient } from './command-client';
export { CompleteSender, unacknowledgedPartitions } from './complete-send';
export type { RetryBackoff } from './retry-backoff';
export { PARTITION_RETRY_BACKOFF, retryDelayMs } from './retry-backoff';
export type { KafkaConnectionSettings, KafkaSaslSettings, KafkaTlsSettings } from './kafka.settings';
export type {
  KafkaConfigurationFailure,
  KafkaMisconfiguration,
  KafkaMisconfigurationReport,
  KafkaSettingsInUse,
} from './kafka-connection-check';
export { connectKafkaOnce, describeKafkaMisconfiguration, kafkaConfigurationFailure } from './kafka-connection-check';
