import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';
import { ProjectionLagService } from '@vinsight/projections';
import { createTestTopics, deleteTestTopics, InProcessProjector, testKafka, waitUntilCaughtUp } from './support/projector-harness';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

/**
 * A partition whose log past the checkpoint holds only aborted records and transaction markers
 * (a command processor killed inside its transaction leaves exactly that) is caught up as soon as
 * the projector has fetched it, also on the first fetch after it was assigned the partition:
 * otherwise the partition stays behind, and readiness calls it stuck, until new events arrive.
 */
describe('projector on a log that ends in aborted transactions', () => {
  let db: ScratchDatabase;
  let pool: Pool;
  let kafka: Kafka;
  let topics: TopicNames;
  let lag: ProjectionLagService;

  beforeAll(async () => {
    db = await createScratchDatabase('aborted');
    pool = db.projectorPool(2);
    kafka = testKafka();
    topics = await createTestTopics(kafka, 'aborted', 2);
    lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
  });

  afterAll(async () => {
    await lag?.close();
    await deleteTestTopics(kafka, topics);
    await db?.drop();
  });

  it('moves the checkpoint to the end of the log on the first fetch', async () => {
    const producer = kafka.producer({ transactionalId: `aborted-${topics.events}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (const partition of [0, 1]) {
      const transaction = await producer.transaction();
      await transaction.send({
        topic: topics.events,
        messages: [1, 2, 3].map((i) => ({ partition, key: `k${i}`, value: '{"never":"committed"}' })),
      });
      await transaction.abort();
    }
    await producer.disconnect();
    const ends = (await lag.lag()).filter((p) => p.topic === topics.events).map((p) => p.highWatermark);
    expect(ends).toEqual([4, 4]);

    const projector = new InProcessProjector(kafka, pool, topics);
    await projector.start();
    try {
      await waitUntilCaughtUp(lag, 30000);
    } finally {
      await projector.stop();
    }
    expect((await lag.lag()).filter((p) => p.topic === topics.events).map((p) => p.checkpoint)).toEqual([4, 4]);
  });
});
