import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners } from 'kafkajs';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { parsePrometheusText } from '../ops/support/prometheus-text';
import { testEnv } from '../test-env';
import { createTenant, Envelope } from './commands';

const PARTITIONS = 4;
const STUCK_PARTITION = 2;
const STUCK_AFTER_SECONDS = 5;
/** Readiness answers are cached for 1 s; the probe loop below asks every 250 ms. */
const PROBE_SECONDS = 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tenant id whose commands land on `partition` (the Java-compatible partitioner the clients use). */
function tenantOn(partition: number, topic: string): string {
  const choose = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  for (;;) {
    const tenantId = randomUUID();
    if (choose({ topic, partitionMetadata, message: { key: tenantId, value: null } }) === partition) return tenantId;
  }
}

/**
 * Issue 12, item 3: a command partition that can never commit (here every transaction of it
 * fails, through the test-only FAULT_INJECTION_FAIL_PARTITION) must fail the processor's
 * readiness, naming the group and the partition, within READINESS_STUCK_PARTITION_SECONDS plus a
 * probe, while the other partitions go on; restarted without the fault, it is ready again.
 */
describe('readiness of the command processor with a stuck partition', () => {
  let kafka: Kafka;
  let client: CommandClient | undefined;
  const running: ServiceProcess[] = [];

  beforeAll(() => {
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'stuck-partition-test' }, { logLevel: 1 });
  });

  afterAll(async () => {
    await client?.disconnect();
    await Promise.all(running.splice(0).map((p) => p.kill()));
  });

  it(`503 naming the group and partition ${STUCK_PARTITION} within ${STUCK_AFTER_SECONDS} s + a probe, the other partitions served; 200 after a restart without the fault`, async () => {
    const prefix = `stuck.${randomUUID().slice(0, 8)}.`;
    const topics = topicNames(prefix);
    const clientId = `stuck-${randomUUID().slice(0, 8)}`;
    const group = `${clientId}.command-processor`;
    const env = roleEnvironment({
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: clientId,
      KAFKA_PARTITIONS: String(PARTITIONS),
      READINESS_STUCK_PARTITION_SECONDS: String(STUCK_AFTER_SECONDS),
    });
    const start = async (extra: Record<string, string> = {}) => {
      const member = ServiceProcess.start('command-processor', { ...env, ...extra }, await freePort());
      running.push(member);
      await member.waitFor('/health/startup', 60000);
      return member;
    };
    const ready = async (member: ServiceProcess): Promise<{ status: number; body: any }> => {
      const response = await fetch(member.url('/health/ready'));
      return { status: response.status, body: await response.json() };
    };
    const until = async (member: ServiceProcess, accept: (r: { status: number; body: any }) => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      let last = await ready(member);
      while (!accept(last) && Date.now() < deadline) {
        await sleep(250);
        last = await ready(member);
      }
      return last;
    };

    const faulty = await start({ FAULT_INJECTION_FAIL_PARTITION: String(STUCK_PARTITION) });
    expect((await until(faulty, (r) => r.status === 200, 30000)).status).toBe(200);
    client = await CommandClient.connect(kafka, topics);
    const tenants = Array.from({ length: PARTITIONS }, (_, partition) => tenantOn(partition, topics.commands));
    const first: Envelope[] = tenants.map((tenantId) => createTenant(tenantId));
    const sentAt = Date.now();
    await client.sendMany(first);
    const served = first.filter((_, partition) => partition !== STUCK_PARTITION);
    await Promise.all(served.map((c) => client!.waitFor(c.commandId, 1, 30000)));

    const stuck = await until(faulty, (r) => r.status === 503, (STUCK_AFTER_SECONDS + 30) * 1000);
    const seconds = (Date.now() - sentAt) / 1000;
    expect(stuck.status).toBe(503);
    expect(Object.keys(stuck.body.error)).toEqual(['partitions']);
    expect(stuck.body.error.partitions.stuck).toEqual([
      {
        group,
        topic: topics.commands,
        partition: STUCK_PARTITION,
        committedOffset: '0',
        endOffset: '1',
        stuckForSeconds: expect.any(Number),
      },
    ]);
    expect(stuck.body.error.partitions.message).toContain(`${group} ${topics.commands}[${STUCK_PARTITION}] at 0 of 1`);
    expect(stuck.body.info).toMatchObject({ kafka: { status: 'up' }, 'kafka-consumers': { status: 'up' } });
    // Counted from when the command was sent: the first observation of it waiting is later still.
    expect(seconds).toBeLessThan(STUCK_AFTER_SECONDS + PROBE_SECONDS + 3);
    process.stdout.write(
      `stuck partition named after ${seconds.toFixed(1)} s (limit ${STUCK_AFTER_SECONDS} s): ${JSON.stringify(stuck.body.error.partitions.stuck)}\n`,
    );

    // The other partitions go on, and only the stuck one is named.
    const later = tenants
      .filter((_, partition) => partition !== STUCK_PARTITION)
      .map((tenantId) => createTenant(tenantId, { slug: `s-${randomUUID().slice(0, 8)}` }));
    await client.sendMany(later);
    expect((await Promise.all(later.map((c) => client!.waitFor(c.commandId, 1, 30000)))).every(([r]) => r.status === 'rejected')).toBe(
      true,
    );
    const still = await ready(faulty);
    expect(still.body.error.partitions.stuck.map((s: { partition: number }) => s.partition)).toEqual([STUCK_PARTITION]);
    expect(still.body.error.partitions.groups[group]).toEqual({ partitions: PARTITIONS, pending: 1, stuck: 1 });
    const gauge = parsePrometheusText(await (await fetch(faulty.url('/metrics'))).text()).find(
      (s) => s.name === 'vinsight_stuck_partitions' && s.labels.group === group,
    );
    expect(gauge?.value).toBe(1);
    expect(client.resultsOf(first[STUCK_PARTITION].commandId)).toEqual([]);

    // The fault gone (a restart without it): the partition's command is processed and readiness is 200.
    await faulty.kill();
    const healthy = await start();
    const [result] = await client.waitFor(first[STUCK_PARTITION].commandId, 1, 90000);
    expect(result.status).toBe('accepted');
    const recovered = await until(healthy, (r) => r.status === 200 && r.body.info.partitions.groups[group]?.pending === 0, 30000);
    expect(recovered.status).toBe(200);
    expect(recovered.body.info.partitions).toEqual({
      status: 'up',
      stuckAfterSeconds: STUCK_AFTER_SECONDS,
      groups: { [group]: { partitions: PARTITIONS, pending: 0, stuck: 0 } },
    });
  }, 240000);
});
