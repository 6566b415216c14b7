import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';

export interface Captured {
  topic: string;
  partition: number;
  message: KafkaMessage;
  json: any;
}

/** Reads topics from the beginning (read_committed) and keeps every record, for assertions. */
export class TopicCapture {
  readonly records: Captured[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topics: string[]): Promise<TopicCapture> {
    const consumer = kafka.consumer({ groupId: `test.capture.${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 20 });
    const capture = new TopicCapture(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        let json: unknown = null;
        try {
          json = JSON.parse(message.value?.toString('utf8') ?? 'null');
        } catch {
          json = null;
        }
        capture.records.push({ topic, partition, message, json });
      },
    });
    await joined;
    return capture;
  }

  of(topic: string, predicate: (record: Captured) => boolean = () => true): Captured[] {
    return this.records.filter((r) => r.topic === topic && predicate(r));
  }

  async waitFor(topic: string, predicate: (record: Captured) => boolean, count = 1, timeoutMs = 20000): Promise<Captured[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(topic, predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`only ${found.length} of ${count} records on ${topic} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop() {
    await this.consumer.disconnect();
  }
}
