/** Connection and topic layout of the Kafka cluster, validated by the config module at boot. */
export interface KafkaSettings {
  /** `host:port` of the bootstrap brokers. */
  brokers: string[];
  clientId: string;
  /** Prepended to every topic name (asyncapi.yaml, channels), e.g. `vinsight.`. */
  topicPrefix: string;
  /** Partition count of topics the service creates. */
  partitions: number;
  replicationFactor: number;
  /** `min.insync.replicas` of the topics the service creates. */
  minInsyncReplicas: number;
}
