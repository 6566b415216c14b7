import {
  connectKafkaOnce,
  describeKafkaMisconfiguration,
  kafkaConfigurationFailure,
  KafkaConnectionSettings,
  KafkaSettingsInUse,
} from '@vinsight/kafka';

/**
 * The brokers refused this run's TLS or SASL settings (a wrong password, a CA that did not sign
 * their certificates): retrying cannot cure it, so the CLI says which variable to fix, in one line.
 */
export class KafkaSettingsRefusedError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail.replace(/\s*\n\s*/g, ' ')}`);
    this.name = 'KafkaSettingsRefusedError';
  }
}

/** A TLS handshake and SASL exchange with a slow broker; a broker that is down is left to the connect's own deadline. */
const SETTINGS_CHECK_TIMEOUT_MS = 10_000;

/**
 * Connects once, without retries, with the run's TLS and SASL settings, as a service does at boot:
 * KafkaJS retries a refused handshake like a broker that is down, until the deadline, and then
 * only its last log line would hint at the setting.
 */
export async function checkKafkaSettings(settings: KafkaConnectionSettings & KafkaSettingsInUse, timeoutMs: number): Promise<void> {
  // Plaintext without authentication has nothing a broker could refuse.
  if (settings.ssl === undefined && settings.sasl === undefined) return;
  const { brokers, clientId, ssl, sasl } = settings;
  try {
    await connectKafkaOnce({ brokers, clientId, ssl, sasl }, Math.min(timeoutMs, SETTINGS_CHECK_TIMEOUT_MS));
  } catch (error) {
    const failure = kafkaConfigurationFailure(error);
    if (failure === undefined) return;
    const { variable, detail } = describeKafkaMisconfiguration(settings, failure);
    throw new KafkaSettingsRefusedError(variable, detail);
  }
}
