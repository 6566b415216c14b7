import { randomUUID } from 'node:crypto';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { Kafka } from 'kafkajs';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { testEnv } from '../test-env';
import { crashWorkload, seededRandom } from './crash-workload';
import { auditExactlyOnce, captureCommitted, ExactlyOnceAudit, NO_VIOLATIONS, violations } from './exactly-once-audit';

const TOTAL = 5000;
const SEED = Number(process.env.CRASH_SEED ?? 20261125);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety of the command processor (kill -9 while 5,000 commands flow)', () => {
  let kafka: Kafka;
  const running: ServiceProcess[] = [];

  beforeAll(() => {
    kafka = createKafkaClient({ brokers: testEnv.kafkaBrokers, clientId: 'crash-test' }, { logLevel: 1 });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
  });

  async function scenario(instances: 1 | 2): Promise<ExactlyOnceAudit> {
    const prefix = `crash.${randomUUID().slice(0, 8)}.`;
    const topics = topicNames(prefix);
    const env = roleEnvironment({ KAFKA_TOPIC_PREFIX: prefix, KAFKA_CLIENT_ID: `crash-${randomUUID().slice(0, 8)}`, KAFKA_PARTITIONS: '6', PROCESSOR_SNAPSHOT_EVERY_EVENTS: '300' });
    const random = seededRandom(SEED + instances);
    const start = async () => {
      const p = ServiceProcess.start('command-processor', env, await freePort());
      running.push(p);
      await p.waitFor('/health/startup', 60000);
      return p;
    };
    let members = [await start()];
    const client = await CommandClient.connect(kafka, topics);
    const commands = crashWorkload(TOTAL, 50, random);

    // Publish at about 1,000 commands/s in the background while processes die.
    const publishing = (async () => {
      for (let i = 0; i < commands.length; i += 100) {
        await client.sendMany(commands.slice(i, i + 100));
        await sleep(100);
      }
    })();
    if (instances === 2) {
      await sleep(300 + random() * 700);
      members.push(await start()); // a rebalance in the middle of the stream
    }
    for (let crash = 0; crash < 3; crash++) {
      await sleep(200 + random() * 1200);
      const victim = members[Math.floor(random() * members.length)];
      await victim.kill();
      members = members.filter((m) => m !== victim);
      members.push(await start());
    }
    await publishing;
    await Promise.all(commands.map((c) => client.waitFor(c.commandId, 1, 120000)));
    await client.disconnect();

    const result = auditExactlyOnce(commands, await captureCommitted(kafka, topics), topics);
    process.stdout.write(`crash audit (${instances} instance(s), seed ${SEED}): ${JSON.stringify(result)}\n`);
    return result;
  }

  it('one instance killed 3 times: every command has exactly one outcome, every event exactly once', async () => {
    const result = await scenario(1);
    expect(violations(result)).toEqual(NO_VIOLATIONS);
    expect(result.accepted).toBeGreaterThan(TOTAL * 0.9);
  }, 600000);

  it('two instances with a rebalance, killed 3 times: the same holds', async () => {
    const result = await scenario(2);
    expect(violations(result)).toEqual(NO_VIOLATIONS);
    expect(result.accepted).toBeGreaterThan(TOTAL * 0.9);
  }, 600000);
});
