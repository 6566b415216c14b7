import { BrokerOutageProxy } from '../../../test/kafka/broker-outage.proxy';
import { createTestTopics, testKafkaClient, uniqueTopicPrefix } from '../../../test/kafka/kafka-test.helpers';
import { RenewingAdmin } from './renewing-admin';

jest.setTimeout(60_000);

describe('RenewingAdmin against the real broker', () => {
  it('replaces its client after a failed call (a broker killed with -9), and the next call after the return answers', async () => {
    const topic = `${uniqueTopicPrefix('renewing-admin')}offsets`;
    await createTestTopics(testKafkaClient('renewing-admin-int-spec'), [{ topic, numPartitions: 2 }]);
    const proxy = await BrokerOutageProxy.start();
    const admin = new RenewingAdmin(proxy.client('renewing-admin-int-spec'), { retry: { retries: 1, initialRetryTime: 50 } });
    const offsets = () => admin.use((client) => client.fetchTopicOffsets(topic));
    try {
      await expect(offsets()).resolves.toHaveLength(2);
      await expect(offsets()).resolves.toHaveLength(2);
      expect(admin.renewals).toBe(1);

      await proxy.kill();
      await expect(offsets()).rejects.toThrow();
      await proxy.restart();
      await expect(offsets()).resolves.toHaveLength(2);
      expect(admin.renewals).toBe(2);
    } finally {
      await admin.disconnect();
      await proxy.stop();
    }
  });
});
