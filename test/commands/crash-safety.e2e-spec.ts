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

/** The line the fault hook writes before it kills the process inside a transaction. */
const FAULT_LINE =
  /fault injection: exit inside a transaction of partition (\d+) \((\d+) records\) with (\d+) handled since start, before its commit/;
const CRASHES = 3;

interface Crash {
  exitAfter: number;
  partition: number;
  inTransaction: number;
}

/**
 * Each process the test starts, until three have died, is told by
 * FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS (100-499, seeded) to kill itself (SIGKILL) inside
 * the Kafka transaction in which its handled commands reach that number: its events and results
 * sent, its input offset not committed. So every kill lands inside an open transaction, whatever
 * the machine's load; the processes started after the third death run without the fault.
 */
describe('crash safety of the command processor (kill -9 inside a transaction while 5,000 commands flow)', () => {
  let kafka: Kafka;
  const running: ServiceProcess[] = [];

  beforeAll(() => {
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'crash-test' }, { logLevel: 1 });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
  });

  async function scenario(instances: 1 | 2): Promise<{ audit: ExactlyOnceAudit; crashes: Crash[] }> {
    const prefix = `crash.${randomUUID().slice(0, 8)}.`;
    const topics = topicNames(prefix);
    const env = roleEnvironment({
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_CLIENT_ID: `crash-${randomUUID().slice(0, 8)}`,
      KAFKA_PARTITIONS: '6',
      PROCESSOR_SNAPSHOT_EVERY_EVENTS: '300',
    });
    const random = seededRandom(SEED + instances);
    const crashes: Crash[] = [];
    const replaced: Promise<void>[] = [];
    let armed = 0;
    let allCrashed!: () => void;
    let failed!: (error: Error) => void;
    const crashedThreeTimes = new Promise<void>((resolve, reject) => ((allCrashed = resolve), (failed = reject)));

    /** Starts a member; an armed one is replaced by the next member as soon as its fault kills it. */
    const start = async (): Promise<void> => {
      const exitAfter = armed < CRASHES ? 100 + Math.floor(random() * 400) : undefined;
      if (exitAfter !== undefined) armed++;
      const fault: Record<string, string> =
        exitAfter === undefined ? {} : { FAULT_INJECTION_EXIT_IN_BATCH_AFTER_RECORDS: String(exitAfter) };
      const member = ServiceProcess.start('command-processor', { ...env, ...fault }, await freePort());
      running.push(member);
      if (exitAfter !== undefined) {
        replaced.push(
          member.exited.then(async () => {
            const line = FAULT_LINE.exec(member.logs);
            if (member.child.signalCode !== 'SIGKILL' || !line) {
              failed(
                new Error(
                  `member armed with ${exitAfter} ended otherwise (${member.child.signalCode ?? member.child.exitCode}):\n${member.logs}`,
                ),
              );
              return;
            }
            crashes.push({ exitAfter, partition: Number(line[1]), inTransaction: Number(line[2]) });
            if (crashes.length === CRASHES) allCrashed();
            await start();
          }),
        );
      }
      // An armed member handed a backlog may kill itself before its startup probe is seen.
      await member.waitFor('/health/startup', 60000).catch((error: Error) => {
        if (member.child.signalCode !== 'SIGKILL') throw error;
      });
    };
    await start();
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
      await start(); // a rebalance in the middle of the stream
    }
    await publishing;
    await Promise.race([
      crashedThreeTimes,
      sleep(240000).then(() => Promise.reject(new Error(`only ${crashes.length} of ${CRASHES} crashes within 240 s`))),
    ]);
    await Promise.all(replaced);
    await Promise.all(commands.map((c) => client.waitFor(c.commandId, 1, 120000)));
    await client.disconnect();

    const audit = auditExactlyOnce(commands, await captureCommitted(kafka, topics), topics);
    process.stdout.write(
      `crash audit (${instances} instance(s), seed ${SEED}): ${JSON.stringify(audit)}; kills inside transactions: ${JSON.stringify(crashes)}\n`,
    );
    return { audit, crashes };
  }

  /** Three kills, each inside a transaction with commands in it, and nothing lost or doubled. */
  function expectExactlyOnceThroughCrashes({ audit, crashes }: { audit: ExactlyOnceAudit; crashes: Crash[] }) {
    expect(crashes).toHaveLength(CRASHES);
    expect(crashes.every((c) => c.inTransaction > 0)).toBe(true);
    expect(violations(audit)).toEqual(NO_VIOLATIONS);
    expect(audit.accepted).toBeGreaterThan(TOTAL * 0.9);
  }

  it('one instance killed 3 times inside a transaction: every command has exactly one outcome, every event exactly once', async () => {
    expectExactlyOnceThroughCrashes(await scenario(1));
  }, 600000);

  it('two instances with a rebalance, killed 3 times inside a transaction: the same holds', async () => {
    expectExactlyOnceThroughCrashes(await scenario(2));
  }, 600000);
});
