import { logLevel } from 'kafkajs';
import { createKafkaClient } from './kafka-client.factory';
import { KafkaConnectionSettings } from './kafka.settings';

/**
 * Which setting a failed connection points at. Such an error never heals by retrying: a client
 * would retry it for ever (the broker looks down), so start-up stops on it instead.
 */
export type KafkaMisconfiguration =
  /** The broker refused the username or password. */
  | 'sasl-credentials'
  /** The broker does not offer the configured SASL mechanism on this listener. */
  | 'sasl-mechanism'
  /** The broker's certificate does not chain to a trusted CA (or has expired). */
  | 'tls-trust'
  /** The broker's certificate is not for the host name the client connected to. */
  | 'tls-host-name'
  /** The broker wanted a client certificate it did not get or did not accept. */
  | 'tls-client-certificate'
  /** TLS spoken to a listener that does not speak it. */
  | 'tls-not-offered';

export interface KafkaConfigurationFailure {
  kind: KafkaMisconfiguration;
  /** The underlying reason, as KafkaJS or Node's TLS stack gave it. */
  reason: string;
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const TLS_CLIENT_CERTIFICATE_CODES = /ALERT_CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN/;

/** How deep `cause` chains (KafkaJS wraps retried errors) are followed. */
const MAX_DEPTH = 4;

/** Classifies an error of connecting to Kafka; undefined for errors a retry may cure (broker down). */
export function kafkaConfigurationFailure(error: unknown, depth = 0): KafkaConfigurationFailure | undefined {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return undefined;
  const { name, code, message, cause } = error as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  const reason = typeof message === 'string' ? message : String(error);
  if (name === 'KafkaJSSASLAuthenticationError') {
    return { kind: /mechanism is not supported/i.test(reason) ? 'sasl-mechanism' : 'sasl-credentials', reason };
  }
  if (typeof code === 'string') {
    if (TLS_TRUST_CODES.has(code)) return { kind: 'tls-trust', reason: `${reason} (${code})` };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { kind: 'tls-host-name', reason };
    if (TLS_CLIENT_CERTIFICATE_CODES.test(code)) return { kind: 'tls-client-certificate', reason: `${reason} (${code})` };
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG')
      return { kind: 'tls-not-offered', reason: `${reason} (${code})` };
  }
  return kafkaConfigurationFailure(cause, depth + 1);
}

/** Where the settings a misconfiguration is described against came from (the config module's view of them). */
export interface KafkaSettingsInUse {
  brokers: readonly string[];
  ssl?: { caFile?: string };
  sasl?: { mechanism: string; username: string; passwordFile?: string };
}

/** The environment variable to fix and one line saying why: the same words at a service's boot and in the CLI. */
export interface KafkaMisconfigurationReport {
  variable: string;
  detail: string;
}

export function describeKafkaMisconfiguration(
  { brokers, ssl, sasl }: KafkaSettingsInUse,
  failure: KafkaConfigurationFailure,
): KafkaMisconfigurationReport {
  const at = brokers.join(',');
  const { reason } = failure;
  switch (failure.kind) {
    case 'sasl-credentials':
      return {
        variable: sasl?.passwordFile ? 'KAFKA_SASL_PASSWORD_FILE' : 'KAFKA_SASL_PASSWORD',
        detail: `SASL authentication failed for user "${sasl?.username ?? ''}" (${sasl?.mechanism.toUpperCase() ?? 'no mechanism'}) at ${at}: ${reason}`,
      };
    case 'sasl-mechanism':
      return { variable: 'KAFKA_SASL_MECHANISM', detail: `${reason} (${at})` };
    case 'tls-trust':
      return {
        variable: 'KAFKA_SSL_CA_FILE',
        detail: `the TLS certificate of ${at} is not trusted by ${ssl?.caFile ? `the CA in "${ssl.caFile}"` : "Node's default CAs (set KAFKA_SSL_CA_FILE)"}: ${reason}`,
      };
    case 'tls-host-name':
      return { variable: 'KAFKA_BROKERS', detail: `the TLS certificate of ${at} is not valid for that host name: ${reason}` };
    case 'tls-client-certificate':
      return { variable: 'KAFKA_SSL_CERT_FILE', detail: `${at} did not accept the client certificate: ${reason}` };
    case 'tls-not-offered':
      return { variable: 'KAFKA_SSL', detail: `${at} does not speak TLS on that port: ${reason}` };
  }
}

/**
 * Connects an admin client once, without retries, and disconnects: proves the brokers take this
 * process's TLS and credentials before anything else connects (and would retry a refusal for ever).
 * Rejects with KafkaJS's error; classify it with kafkaConfigurationFailure.
 */
export async function connectKafkaOnce(settings: KafkaConnectionSettings, timeoutMs: number): Promise<void> {
  const kafka = createKafkaClient(settings, { logLevel: logLevel.NOTHING, timeoutMs, retry: { retries: 0 } });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
