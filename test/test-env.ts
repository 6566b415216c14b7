/**
 * Connection settings for integration and end-to-end tests: the local stack's services, on the
 * `vinsight_test` database so tests never touch a developer's `vinsight` data.
 */
export const testEnv = {
  ownerUrl: process.env.TEST_DATABASE_URL ?? 'postgres://vinsight_owner@127.0.0.1:5432/vinsight_test',
  projectorUrl: process.env.TEST_PROJECTOR_DATABASE_URL ?? 'postgres://vinsight_projector@127.0.0.1:5432/vinsight_test',
  apiUrl: process.env.TEST_API_DATABASE_URL ?? 'postgres://vinsight_api@127.0.0.1:5432/vinsight_test',
  replicaUrl: process.env.TEST_REPLICA_DATABASE_URL ?? 'postgres://vinsight_api@127.0.0.1:5433/vinsight_test',
  superuserUrl: process.env.TEST_SUPERUSER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  kafkaBrokers: (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
};
