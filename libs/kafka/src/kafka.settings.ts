/** TLS to the brokers; without `ca`, the broker's certificate must chain to a CA Node trusts. */
export interface KafkaTlsSettings {
  /** PEM certificates of the CAs that signed the brokers' certificates. */
  ca?: string[];
  /** Mutual TLS: PEM client certificate and its private key. */
  cert?: string;
  key?: string;
}

export interface KafkaSaslSettings {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

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
  /** Unset: plaintext. */
  ssl?: KafkaTlsSettings;
  /** Unset: no authentication. */
  sasl?: KafkaSaslSettings;
}

/** What a client needs to reach the brokers: every Kafka client of the service is built from it. */
export type KafkaConnectionSettings = Pick<KafkaSettings, 'brokers' | 'clientId' | 'ssl' | 'sasl'>;
