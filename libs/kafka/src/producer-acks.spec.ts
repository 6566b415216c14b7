import { Kafka, logLevel } from 'kafkajs';

/**
 * Topics with min.insync.replicas=2 protect a write only when the producer waits for every
 * in-sync replica (acks=all, -1). The service's producers are idempotent (CommandClient) or
 * transactional (the command processor): KafkaJS refuses anything else for them, before a request
 * leaves the process, so no code path can weaken it by passing acks.
 */
describe('acks of the service producers', () => {
  const kafka = new Kafka({ clientId: 'acks-spec', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
  const batch = { topicMessages: [{ topic: 't', messages: [{ value: 'v' }] }] };

  it.each([
    ['idempotent', { idempotent: true, maxInFlightRequests: 1 }],
    ['transactional', { transactionalId: 'acks-spec', idempotent: true, maxInFlightRequests: 1 }],
  ])('a %s producer refuses acks other than all', async (_, options) => {
    const producer = kafka.producer(options);
    for (const acks of [0, 1]) {
      await expect(producer.sendBatch({ ...batch, acks })).rejects.toThrow(
        /Not requiring ack for all messages invalidates the idempotent producer/,
      );
    }
    // The default passes that check and fails only for want of a connection: it is acks=all.
    await expect(producer.sendBatch(batch)).rejects.toThrow(/disconnected/i);
  });
});
