import { AppConfig } from '@vinsight/config';
import { connectPostgresOnce, postgresConfigurationFailure, PostgresConfigurationFailure } from '@vinsight/database';
import { connectKafkaOnce, describeKafkaMisconfiguration, KafkaConfigurationFailure, kafkaConfigurationFailure } from '@vinsight/kafka';

/**
 * A setting the environment got wrong that only a connection reveals (a password the broker
 * refuses, a CA that does not sign the server's certificate). runMain prints it as one line naming
 * the variable and exits non-zero: retrying would never succeed, and every client retrying it
 * would fill the log with connection errors that do not say which setting to fix.
 */
export class StartupConfigurationError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail.replace(/\s*\n\s*/g, ' ')}`);
    this.name = 'StartupConfigurationError';
  }
}

/** Long enough for a TLS handshake and SASL exchange with a slow broker; a broker down is not waited for. */
const BOOT_CHECK_TIMEOUT_MS = 10_000;

/**
 * Connects to Kafka once with this process's TLS and SASL settings. A refusal that names a setting
 * stops the boot; a broker that is merely unreachable is left to the clients' retries and to
 * readiness, as before.
 */
export async function checkKafkaAtBoot(config: AppConfig, warn: (message: string) => void): Promise<void> {
  try {
    await connectKafkaOnce({ ...config.kafka, clientId: `${config.kafka.clientId}-boot` }, BOOT_CHECK_TIMEOUT_MS);
  } catch (error) {
    const failure = kafkaConfigurationFailure(error);
    if (failure) throw kafkaError(config, failure);
    warn(`Kafka not reachable at start-up (${(error as Error).message}); the clients keep trying`);
  }
}

function kafkaError(config: AppConfig, failure: KafkaConfigurationFailure): StartupConfigurationError {
  const { variable, detail } = describeKafkaMisconfiguration(config.kafka, failure);
  return new StartupConfigurationError(variable, detail);
}

/** The variable holding each database's connection string, as named in waitForDatabases. */
export const DATABASE_VARIABLES = {
  migrations: 'DATABASE_URL',
  projector: 'PROJECTOR_DATABASE_URL',
  'read API': 'API_DATABASE_URL',
  replica: 'REPLICA_DATABASE_URL',
} as const;

/** Turns a failure to connect to one of the databases into the error naming its variable, if it is one. */
export function postgresStartupError(variable: string, connectionString: string, error: unknown): StartupConfigurationError | undefined {
  const failure = postgresConfigurationFailure(error);
  return failure ? postgresError(variable, connectionString, failure) : undefined;
}

function postgresError(
  variable: string,
  connectionString: string,
  { kind, reason }: PostgresConfigurationFailure,
): StartupConfigurationError {
  const url = new URL(connectionString);
  const at = `Postgres at ${url.host}`;
  const rootCert = url.searchParams.get('sslrootcert');
  switch (kind) {
    case 'tls-trust':
      return new StartupConfigurationError(
        variable,
        `the TLS certificate of ${at} is not trusted by ${rootCert ? `the CA in sslrootcert "${rootCert}"` : "Node's default CAs (add sslrootcert=<CA file>)"}: ${reason}`,
      );
    case 'tls-host-name':
      return new StartupConfigurationError(variable, `the TLS certificate of ${at} is not valid for that host name: ${reason}`);
    case 'tls-not-offered':
      return new StartupConfigurationError(
        variable,
        `${at} does not offer TLS (sslmode=${url.searchParams.get('sslmode') ?? 'unset'}): ${reason}`,
      );
    case 'authentication':
      return new StartupConfigurationError(variable, `${at} refused role "${decodeURIComponent(url.username)}": ${reason}`);
  }
}

/**
 * The optional replica is not waited for (reads go to the primary until it answers), but a replica
 * whose TLS or credentials are wrong would never answer: that stops the boot like the others.
 */
export async function checkReplicaAtBoot(connectionString: string, warn: (message: string) => void): Promise<void> {
  try {
    await connectPostgresOnce(connectionString, BOOT_CHECK_TIMEOUT_MS);
  } catch (error) {
    const fatal = postgresStartupError(DATABASE_VARIABLES.replica, connectionString, error);
    if (fatal) throw fatal;
    warn(`Postgres (replica) not available at start-up: ${(error as Error).message}; reads use the primary until it answers`);
  }
}
