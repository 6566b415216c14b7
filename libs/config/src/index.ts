export * from './app-config';
export * from './config.loader';
export * from './config.module';
export { EnvironmentVariables } from './environment.schema';
export type { KafkaSaslConfig, KafkaSecurityConfig, KafkaTlsConfig } from './security.settings';
