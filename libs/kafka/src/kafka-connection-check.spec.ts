import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { describeKafkaMisconfiguration, kafkaConfigurationFailure } from './kafka-connection-check';

// KafkaJS's typings omit the constructors' arguments its code takes.
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
const connectionError = (code: string, message = 'Connection error: x') =>
  new KafkaJSConnectionError(message, { broker: '127.0.0.1:9292', code } as never);

describe('kafkaConfigurationFailure', () => {
  it('names refused SASL credentials and an unsupported mechanism apart', () => {
    expect(kafkaConfigurationFailure(new SaslError('SASL SCRAM SHA512 authentication failed: invalid credentials'))?.kind).toBe(
      'sasl-credentials',
    );
    expect(kafkaConfigurationFailure(new SaslError('SASL PLAIN mechanism is not supported by the server'))?.kind).toBe('sasl-mechanism');
  });

  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-trust'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-trust'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-trust'],
    ['CERT_HAS_EXPIRED', 'tls-trust'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-host-name'],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tls-client-certificate'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'tls-client-certificate'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-not-offered'],
  ])('classifies the TLS error %s as %s, also inside a retry wrapper', (code, kind) => {
    expect(kafkaConfigurationFailure(connectionError(code))?.kind).toBe(kind);
    expect(
      kafkaConfigurationFailure(new KafkaJSNumberOfRetriesExceeded(connectionError(code), { retryCount: 0, retryTime: 50 }))?.kind,
    ).toBe(kind);
  });

  it('leaves errors a retry may cure (a broker down or slow) to the clients', () => {
    expect(kafkaConfigurationFailure(connectionError('ECONNREFUSED'))).toBeUndefined();
    expect(kafkaConfigurationFailure(new KafkaJSConnectionError('Connection timeout'))).toBeUndefined();
    expect(kafkaConfigurationFailure(new Error('anything'))).toBeUndefined();
    expect(kafkaConfigurationFailure(undefined)).toBeUndefined();
  });
});

describe('describeKafkaMisconfiguration', () => {
  const brokers = ['kafka-1:9093', 'kafka-2:9093'];
  const sasl = { mechanism: 'scram-sha-512', username: 'svc' };

  it('names the password variable the password came from', () => {
    const failure = { kind: 'sasl-credentials', reason: 'invalid credentials' } as const;
    expect(describeKafkaMisconfiguration({ brokers, sasl }, failure)).toEqual({
      variable: 'KAFKA_SASL_PASSWORD',
      detail: 'SASL authentication failed for user "svc" (SCRAM-SHA-512) at kafka-1:9093,kafka-2:9093: invalid credentials',
    });
    expect(describeKafkaMisconfiguration({ brokers, sasl: { ...sasl, passwordFile: '/run/secrets/kafka' } }, failure).variable).toBe(
      'KAFKA_SASL_PASSWORD_FILE',
    );
  });

  it('names the CA file, or says none was set', () => {
    const failure = { kind: 'tls-trust', reason: 'self-signed certificate in certificate chain' } as const;
    expect(describeKafkaMisconfiguration({ brokers, ssl: { caFile: '/etc/ca.crt' } }, failure)).toEqual({
      variable: 'KAFKA_SSL_CA_FILE',
      detail:
        'the TLS certificate of kafka-1:9093,kafka-2:9093 is not trusted by the CA in "/etc/ca.crt": self-signed certificate in certificate chain',
    });
    expect(describeKafkaMisconfiguration({ brokers, ssl: {} }, failure).detail).toContain("Node's default CAs (set KAFKA_SSL_CA_FILE)");
  });
});
