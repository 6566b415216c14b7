import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigError, EnvironmentVariables, KafkaSecurityConfig, loadKafkaSecurity } from '@vinsight/config';

/** The variables the CLI reads; none of the service's database settings are needed. */
const CLI_VARIABLES = ['KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'KAFKA_TOPIC_PREFIX', 'LOG_LEVEL'] as const;
type CliVariable = (typeof CLI_VARIABLES)[number];

/**
 * The service logs at info; the CLI prints no Kafka client log unless LOG_LEVEL asks for it: it
 * reports a failure itself in one line (KafkaJS logs each retry of an unreachable broker with a
 * stack trace, and its warnings say nothing an operator can act on).
 */
const DEFAULT_CLI_LOG_LEVEL = 'silent';

export interface CliSettings {
  readonly brokers: string[];
  /** KafkaJS client id, as the broker sees it: the service's own with `.cli` appended. */
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly logLevel: string;
  /** The service's KAFKA_SSL* and KAFKA_SASL_* settings, read the same way. */
  readonly ssl?: KafkaSecurityConfig['ssl'];
  readonly sasl?: KafkaSecurityConfig['sasl'];
}

/**
 * The Kafka part of the service's configuration, validated by the same class (so the same
 * defaults and the same messages), without loadConfig's role-specific database requirements.
 */
export function loadCliSettings(env: Readonly<Record<string, string | undefined>>): CliSettings {
  const raw: Partial<Record<CliVariable, string>> = {};
  for (const name of CLI_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const variables = plainToInstance(EnvironmentVariables, raw);
  const problems = validateSync(variables, { forbidUnknownValues: true })
    .filter((error) => (CLI_VARIABLES as readonly string[]).includes(error.property))
    .map((error) => ({
      variable: error.property,
      message: `${Object.values(error.constraints ?? {})
        .map((message) => message.replace(`${error.property} `, ''))
        .join('; ')} (got ${JSON.stringify(raw[error.property as CliVariable])})`,
    }));
  let security: KafkaSecurityConfig = {};
  try {
    security = loadKafkaSecurity(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(security.ssl ? { ssl: security.ssl } : {}),
    ...(security.sasl ? { sasl: security.sasl } : {}),
    brokers: variables.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
    clientId: `${variables.KAFKA_CLIENT_ID}.cli`,
    topicPrefix: variables.KAFKA_TOPIC_PREFIX,
    logLevel: raw.LOG_LEVEL ?? DEFAULT_CLI_LOG_LEVEL,
  };
}
