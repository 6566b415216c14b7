import 'reflect-metadata';
import { ConfigError } from '@vinsight/config';
import { loadCliSettings } from './cli.settings';

describe('loadCliSettings', () => {
  it('uses the service defaults, a .cli client id and no Kafka log', () => {
    expect(loadCliSettings({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'vinsight-core.cli',
      topicPrefix: 'vinsight.',
      logLevel: 'silent',
    });
  });

  it('reads the Kafka variables and LOG_LEVEL, and nothing about databases', () => {
    expect(
      loadCliSettings({
        KAFKA_BROKERS: 'k1:9092,k2:9092',
        KAFKA_CLIENT_ID: 'ops',
        KAFKA_TOPIC_PREFIX: 'staging.',
        LOG_LEVEL: 'debug',
        HTTP_PORT: 'not a port',
        DATABASE_URL: 'nonsense',
      }),
    ).toEqual({ brokers: ['k1:9092', 'k2:9092'], clientId: 'ops.cli', topicPrefix: 'staging.', logLevel: 'debug' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadCliSettings({ KAFKA_TOPIC_PREFIX: '' }).topicPrefix).toBe('vinsight.');
  });

  it('names every bad variable, as the service does', () => {
    let error: unknown;
    try {
      loadCliSettings({ KAFKA_BROKERS: 'no-port', KAFKA_TOPIC_PREFIX: 'bad prefix!', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'LOG_LEVEL']);
    expect((error as Error).message).toContain('KAFKA_BROKERS: must be a comma-separated list of host:port (got "no-port")');
  });

  it('connects with the service’s Kafka TLS and SASL settings, and names each bad one with the others', () => {
    const settings = loadCliSettings({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ops',
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_SSL: 'true',
    });
    expect(settings.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'ops', password: 'pw' });
    expect(settings.ssl).toEqual({});
    let error: unknown;
    try {
      loadCliSettings({ KAFKA_BROKERS: 'no-port', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'ops' });
    } catch (caught) {
      error = caught;
    }
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['KAFKA_BROKERS', 'KAFKA_SASL_PASSWORD']);
  });
});
