import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigError } from './config-error';
import { EnvironmentVariables } from './environment.schema';
import { KafkaSecurityConfig, kafkaSecurity } from './security.settings';

const KAFKA_SECURITY_VARIABLES = [
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
];

/**
 * Only the Kafka TLS and SASL settings, validated and read exactly as loadConfig does: for the CLI
 * and scripts, which connect to the same brokers without the service's other settings.
 */
export function loadKafkaSecurity(env: Readonly<Record<string, string | undefined>> = process.env): KafkaSecurityConfig {
  const raw: Record<string, string> = {};
  for (const name of KAFKA_SECURITY_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const vars = plainToInstance(EnvironmentVariables, raw);
  const problems = validateSync(vars, { forbidUnknownValues: true })
    .filter((error) => KAFKA_SECURITY_VARIABLES.includes(error.property))
    .map((error) => ({
      variable: error.property,
      message: `${Object.values(error.constraints ?? {})
        .map((message) => message.replace(error.property + ' ', ''))
        .join('; ')} (got ${JSON.stringify(raw[error.property])})`,
    }));
  const security = problems.length === 0 ? kafkaSecurity(vars, problems) : {};
  if (problems.length > 0) throw new ConfigError(problems);
  return security;
}
