import type { AppConfig } from '@vinsight/config';
import { testEnv } from '../../../../test/test-env';
import { KafkaBrokerProbe } from './kafka-broker.probe';

jest.setTimeout(30_000);

/** A port nothing listens on: connections to it are refused, as a broker killed with -9 refuses them. */
const DEAD_BROKER = '127.0.0.1:1';

function probeOf(brokers: string[]): KafkaBrokerProbe {
  const config = {
    kafka: { ...testEnv.kafka, brokers, clientId: 'kafka-broker-probe-int-spec' },
    health: { checkTimeoutMs: 2000 },
  } as unknown as AppConfig;
  return new KafkaBrokerProbe(config);
}

describe('KafkaBrokerProbe against the real broker', () => {
  it('asks the next bootstrap broker when the first refuses, within one call, every time', async () => {
    const live = testEnv.kafka.brokers[0];
    const probe = probeOf([DEAD_BROKER, live]);
    try {
      for (let i = 0; i < 3; i++) await expect(probe.describe()).resolves.toMatchObject({ answeredBy: live, brokers: expect.any(Number) });
    } finally {
      await probe.onApplicationShutdown();
    }
  });

  it('fails naming every broker when none answers', async () => {
    const probe = probeOf([DEAD_BROKER, '127.0.0.1:2']);
    try {
      await expect(probe.describe()).rejects.toThrow(/127\.0\.0\.1:1: .*; 127\.0\.0\.1:2: /);
    } finally {
      await probe.onApplicationShutdown();
    }
  });
});
