// A relative import: Jest's globalSetup, which reads this file too, does not map @vinsight/* aliases.
import { loadKafkaSecurity } from '../libs/config/src/kafka-security.loader';
import { PERSONAL_DATA_TEST_ENVIRONMENT, testPersonalDataKeys } from '../libs/personal-data/src/testing/test-keys';

/** Kafka TLS/SASL settings of the tests' broker: TEST_KAFKA_SSL, TEST_KAFKA_SASL_PASSWORD_FILE and so on. */
const kafkaSecurityEnvironment: Record<string, string> = {};
for (const name of [
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
]) {
  const value = process.env[`TEST_${name}`];
  if (value) kafkaSecurityEnvironment[name] = value;
}
const kafkaBrokers = (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * Connection settings for integration and end-to-end tests: the local stack's services, on the
 * `vinsight_test` database so tests never touch a developer's `vinsight` data. `make test-secure`
 * points them at the secured stack (TLS in the database URLs, TEST_KAFKA_* for Kafka's TLS and SASL).
 */
export const testEnv = {
  ownerUrl: process.env.TEST_DATABASE_URL ?? 'postgres://vinsight_owner@127.0.0.1:5432/vinsight_test',
  projectorUrl: process.env.TEST_PROJECTOR_DATABASE_URL ?? 'postgres://vinsight_projector@127.0.0.1:5432/vinsight_test',
  apiUrl: process.env.TEST_API_DATABASE_URL ?? 'postgres://vinsight_api@127.0.0.1:5432/vinsight_test',
  replicaUrl: process.env.TEST_REPLICA_DATABASE_URL ?? 'postgres://vinsight_api@127.0.0.1:5433/vinsight_test',
  superuserUrl: process.env.TEST_SUPERUSER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  kafkaBrokers,
  /** The variables a spawned role or CLI needs for Kafka's TLS and SASL (none against the plaintext broker). */
  kafkaSecurityEnvironment,
  /** For createKafkaClient: the brokers with the same TLS and SASL settings. */
  kafka: { brokers: kafkaBrokers, ...loadKafkaSecurity(kafkaSecurityEnvironment) },
  /** The variables a spawned command processor, projector or CLI needs for personal data (the test keys). */
  personalDataEnvironment: PERSONAL_DATA_TEST_ENVIRONMENT,
  /** The same keys, loaded: for what the tests build in process (BatchRunner, ProjectionRebuild). */
  personalDataKeys: testPersonalDataKeys(),
};
