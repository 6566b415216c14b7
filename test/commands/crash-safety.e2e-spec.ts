import { randomUUID } from 'node:crypto';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { Kafka } from 'kafkajs';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { testEnv } from '../test-env';
import { Envelope } from './commands';
import { crashWorkload, seededRandom } from './crash-workload';
import { TopicCapture } from './topic-capture';

const TOTAL = 5000;
const SEED = Number(process.env.CRASH_SEED ?? 20261125);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Audit {
  commands: number;
  missingOutcome: number;
  extraOutcome: number;
  accepted: number;
  rejected: number;
  duplicatedEvents: number;
  eventsOfRejected: number;
  acceptedWithoutEvents: number;
  versionGaps: number;
  events: number;
}

/** Counts what exactly-once promises, from the topics themselves. */
function audit(sent: Envelope[], capture: TopicCapture, topics: ReturnType<typeof topicNames>): Audit {
  const outcomes = new Map<string, any[]>();
  for (const r of capture.of(topics.commandResults)) {
    if (r.json.duplicate) continue;
    outcomes.set(r.json.commandId, [...(outcomes.get(r.json.commandId) ?? []), r.json]);
  }
  const all = [...capture.of(topics.events), ...capture.of(topics.checkEvents)].map((r) => r.json);
  const byEventId = new Map<string, number>();
  const byCommand = new Map<string, number>();
  for (const e of all) {
    byEventId.set(e.eventId, (byEventId.get(e.eventId) ?? 0) + 1);
    byCommand.set(e.commandId, (byCommand.get(e.commandId) ?? 0) + 1);
  }
  let missingOutcome = 0, extraOutcome = 0, accepted = 0, rejected = 0, eventsOfRejected = 0, acceptedWithoutEvents = 0;
  for (const c of sent) {
    const list = outcomes.get(c.commandId) ?? [];
    if (list.length === 0) missingOutcome++;
    if (list.length > 1) extraOutcome += list.length - 1;
    const status = list[0]?.status;
    if (status === 'accepted') {
      accepted++;
      if (!byCommand.get(c.commandId)) acceptedWithoutEvents++;
    }
    if (status === 'rejected') {
      rejected++;
      eventsOfRejected += byCommand.get(c.commandId) ?? 0;
    }
  }
  // Versions on the event store run 1..n per aggregate, in log order, without gaps or repeats.
  const lastVersion = new Map<string, number>();
  let versionGaps = 0;
  for (const r of capture.of(topics.events)) {
    const key = `${r.json.aggregateType}/${r.json.aggregateId}`;
    const expected = (lastVersion.get(key) ?? 0) + 1;
    if (r.json.version !== expected) versionGaps++;
    lastVersion.set(key, r.json.version);
  }
  return {
    commands: sent.length,
    missingOutcome,
    extraOutcome,
    accepted,
    rejected,
    duplicatedEvents: [...byEventId.values()].filter((n) => n > 1).length,
    eventsOfRejected,
    acceptedWithoutEvents,
    versionGaps,
    events: all.length,
  };
}

describe('crash safety of the command processor (kill -9 while 5,000 commands flow)', () => {
  let kafka: Kafka;
  const running: ServiceProcess[] = [];

  beforeAll(() => {
    kafka = createKafkaClient({ brokers: testEnv.kafkaBrokers, clientId: 'crash-test' }, { logLevel: 1 });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
  });

  async function scenario(instances: 1 | 2): Promise<Audit> {
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

    const capture = await TopicCapture.start(kafka, [topics.commandResults, topics.events, topics.checkEvents]);
    // Read everything that was committed: wait until the capture stops growing.
    let size = -1;
    while (size !== capture.records.length) {
      size = capture.records.length;
      await sleep(1500);
    }
    await capture.stop();
    const result = audit(commands, capture, topics);
    process.stdout.write(`crash audit (${instances} instance(s), seed ${SEED}): ${JSON.stringify(result)}\n`);
    return result;
  }

  const perfect = (a: Audit) => ({
    missingOutcome: a.missingOutcome,
    extraOutcome: a.extraOutcome,
    duplicatedEvents: a.duplicatedEvents,
    eventsOfRejected: a.eventsOfRejected,
    acceptedWithoutEvents: a.acceptedWithoutEvents,
    versionGaps: a.versionGaps,
  });
  const zero = { missingOutcome: 0, extraOutcome: 0, duplicatedEvents: 0, eventsOfRejected: 0, acceptedWithoutEvents: 0, versionGaps: 0 };

  it('one instance killed 3 times: every command has exactly one outcome, every event exactly once', async () => {
    const result = await scenario(1);
    expect(perfect(result)).toEqual(zero);
    expect(result.accepted).toBeGreaterThan(TOTAL * 0.9);
  }, 600000);

  it('two instances with a rebalance, killed 3 times: the same holds', async () => {
    const result = await scenario(2);
    expect(perfect(result)).toEqual(zero);
    expect(result.accepted).toBeGreaterThan(TOTAL * 0.9);
  }, 600000);
});
