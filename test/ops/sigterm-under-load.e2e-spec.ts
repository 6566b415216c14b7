import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { CommandClient, createKafkaClient, TopicNames, topicNames } from '@vinsight/kafka';
import { ProjectionLagService } from '@vinsight/projections';
import { generateWorkload, publishWorkload } from '../../scripts/bench-projector.workload';
import { crashWorkload, seededRandom } from '../commands/crash-workload';
import { auditExactlyOnce, captureCommitted, NO_VIOLATIONS, violations } from '../commands/exactly-once-audit';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { createTestTopics, deleteTestTopics, testKafka, waitUntilCaughtUp } from '../projections/support/projector-harness';
import {
  appliedEvents,
  checkCounts,
  projectorEnvironment,
  rebuildFromScratch,
  waitForBatchInFlight,
} from '../projections/support/projector-process';
import { createScratchDatabase, ScratchDatabase } from '../projections/support/scratch-database';
import { testEnv } from '../test-env';
import { recordShutdownFigures, terminate } from './support/shutdown-report';

/**
 * Graceful shutdown under Kafka load (issue 6, "SIGTERM under load: no lost or duplicated work"):
 * the built command processor and projector are sent SIGTERM three times in the middle of their
 * work and restarted each time. Each process must exit 0 within SHUTDOWN_GRACE_MS, and the work
 * must come out exactly once: one outcome per command, every event once, versions without gaps;
 * read models equal to a from-scratch rebuild, no check counted twice in a rollup.
 * The kill -9 versions of these tests are test/commands/crash-safety and
 * test/projections/projector-crash; this one proves the orderly path loses nothing either.
 */
const GRACE_MS = 10000;
const SEED = Number(process.env.SIGTERM_SEED ?? 20261126);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SIGTERM under Kafka load', () => {
  const running: ServiceProcess[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
  });

  async function startRole(
    role: 'command-processor' | 'projector',
    env: Record<string, string>,
    options = { waitForStartup: true },
  ): Promise<ServiceProcess> {
    const service = ServiceProcess.start(role, env, await freePort());
    running.push(service);
    if (options.waitForStartup) await service.waitFor('/health/startup', 90000);
    return service;
  }

  async function stopRole(service: ServiceProcess) {
    const stopped = await terminate(service.child, service.exited);
    running.splice(0, running.length, ...running.filter((r) => r !== service));
    return stopped;
  }

  describe('command processor', () => {
    const TOTAL = 4000;
    let kafka: Kafka;

    beforeAll(() => {
      kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'sigterm-test' }, { logLevel: 1 });
    });

    it('stopped three times while commands flow: exit 0 within grace, every command one outcome, every event once', async () => {
      const prefix = `sigterm.${randomUUID().slice(0, 8)}.`;
      const topics = topicNames(prefix);
      const env = roleEnvironment({
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_CLIENT_ID: `sigterm-${randomUUID().slice(0, 8)}`,
        KAFKA_PARTITIONS: '6',
        PROCESSOR_SNAPSHOT_EVERY_EVENTS: '300',
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
      });
      const commands = crashWorkload(TOTAL, 40, seededRandom(SEED));
      const quarter = commands.length / 4;

      let processor = await startRole('command-processor', env);
      const client = await CommandClient.connect(kafka, topics);
      const outcomes = new Set<string>();
      client.onResult = (result) => outcomes.add(result.commandId);
      let sent = 0;
      const publish = async (from: number, to: number) => {
        // About 1,000 commands/s: faster than a restarting processor keeps up with, so work queues.
        for (let i = from; i < to; i += 100) {
          await client.sendMany(commands.slice(i, Math.min(i + 100, to)));
          sent = Math.min(i + 100, to);
          await sleep(100);
        }
      };

      const stops: {
        shutdownMs: number;
        code: number | null;
        sentAtSigterm: number;
        outcomesAtSigterm: number;
        inFlightAtSigterm: number;
      }[] = [];
      const publishing: Promise<void>[] = [];
      for (let round = 0; round < 3; round++) {
        const from = round * quarter;
        publishing.push(publish(from, from + quarter));
        // Stop once this round's commands are partly answered, while more are still being published.
        const deadline = Date.now() + 120000;
        while (outcomes.size < from + quarter * 0.4 || outcomes.size >= sent) {
          if (Date.now() > deadline)
            throw new Error(`round ${round}: ${outcomes.size} outcomes of ${sent} sent, no point to stop mid-stream\n${processor.logs}`);
          await sleep(5);
        }
        const at = { sentAtSigterm: sent, outcomesAtSigterm: outcomes.size, inFlightAtSigterm: sent - outcomes.size };
        const stopped = await stopRole(processor);
        if (stopped.code !== 0) throw new Error(`processor exited ${stopped.code}:\n${processor.logs}`);
        stops.push({ ...stopped, ...at });
        processor = await startRole('command-processor', env);
      }
      publishing.push(publish(3 * quarter, commands.length));
      await Promise.all(publishing);
      await Promise.all(commands.map((c) => client.waitFor(c.commandId, 1, 180000)));
      await client.disconnect();
      const final = await stopRole(processor);

      const audit = auditExactlyOnce(commands, await captureCommitted(kafka, topics), topics);
      await deleteTestTopics(kafka, topics);
      recordShutdownFigures('command-processor', {
        graceMs: GRACE_MS,
        shutdownMs: [...stops.map((s) => s.shutdownMs), final.shutdownMs],
        stops,
        audit,
      });

      for (const stop of [...stops, final]) {
        expect(stop.code).toBe(0);
        expect(stop.shutdownMs).toBeLessThan(GRACE_MS);
      }
      for (const stop of stops) expect(stop.inFlightAtSigterm).toBeGreaterThan(0);
      expect(violations(audit)).toEqual(NO_VIOLATIONS);
      expect(audit.accepted + audit.rejected).toBe(TOTAL);
      expect(audit.accepted).toBeGreaterThan(TOTAL * 0.9);
    }, 900000);
  });

  describe('projector', () => {
    let db: ScratchDatabase;
    let pool: Pool;
    let kafka: Kafka;
    let topics: TopicNames;
    let lag: ProjectionLagService;

    beforeAll(async () => {
      db = await createScratchDatabase('sigterm');
      pool = db.projectorPool(4);
      kafka = testKafka('sigterm-projector-test');
      topics = await createTestTopics(kafka, 'sigterm', 4);
      lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
    });

    afterAll(async () => {
      await lag?.close();
      if (topics) await deleteTestTopics(kafka, topics);
      await db?.drop();
    });

    it('stopped three times mid-batch while events flow: exit 0 within grace, read models equal a from-scratch rebuild', async () => {
      const records = [
        ...generateWorkload({
          tenants: 10,
          monitorsPerTenant: 4,
          checksPerMonitor: 480,
          end: new Date(),
          downRate: 0.05,
          seed: 7,
          namespace: 'sigterm',
        }),
      ];
      const checks = records.filter((r) => r.role === 'checkEvents').length;
      const env = projectorEnvironment(db, topics, { SHUTDOWN_GRACE_MS: String(GRACE_MS) });

      // Events keep arriving across the restarts, as the command processor would write them; a
      // stopping projector applies what it already fetched, so only a flowing log leaves every
      // restart work to be interrupted in.
      let published = 0;
      const publishing = (async () => {
        // About 1,000 events/s, slower than the projector: it stays near the head of a moving log.
        for (let i = 0; i < records.length; i += 500) {
          published += await publishWorkload(kafka, topics, records.slice(i, i + 500), {
            transactionalId: `sigterm-${topics.events}`,
            perTransaction: 250,
          });
          await sleep(500);
        }
      })();

      const stops: {
        shutdownMs: number;
        code: number | null;
        appliedAtStart: number;
        appliedAtSigterm: number;
        publishedAtSigterm: number;
        appliedAfterExit: number;
      }[] = [];
      for (const fraction of [0.2, 0.45, 0.7]) {
        const appliedAtStart = await appliedEvents(pool);
        // Watched from the spawn on: the projector catches up faster than its startup probe is
        // polled. It must have committed a batch of its own (so it runs, not boots) and hold the
        // next one open when the signal comes.
        const projector = await startRole('projector', env, { waitForStartup: false });
        const appliedAtSigterm = await waitForBatchInFlight(
          pool,
          Math.max(fraction * records.length, appliedAtStart + 1),
          Infinity,
          120000,
        );
        const publishedAtSigterm = published;
        const stopped = await stopRole(projector);
        if (stopped.code !== 0) throw new Error(`projector exited ${stopped.code}:\n${projector.logs}`);
        stops.push({ ...stopped, appliedAtStart, appliedAtSigterm, publishedAtSigterm, appliedAfterExit: await appliedEvents(pool) });
      }
      await publishing;
      const total = (await lag.lag()).reduce((sum, p) => sum + p.highWatermark, 0);
      const projector = await startRole('projector', env);
      await waitUntilCaughtUp(lag, 180000);
      const final = await stopRole(projector);

      const counted = await checkCounts(pool);
      const { live, fromScratch, status } = await rebuildFromScratch(pool, env);
      recordShutdownFigures('projector', {
        graceMs: GRACE_MS,
        events: total,
        shutdownMs: [...stops.map((s) => s.shutdownMs), final.shutdownMs],
        stops,
        checks: counted,
      });

      for (const stop of [...stops, final]) {
        expect(stop.code).toBe(0);
        expect(stop.shutdownMs).toBeLessThan(GRACE_MS);
      }
      // Each stop interrupted real work: the projector had applied batches of its own, held
      // another open, and the log went on past it.
      for (const stop of stops) {
        expect(stop.appliedAtSigterm).toBeGreaterThan(stop.appliedAtStart);
        expect(stop.appliedAtSigterm).toBeLessThan(total);
      }
      expect(counted).toEqual({
        checks,
        distinct_ids: checks,
        hourly: checks,
        daily: checks,
        histograms: counted.with_time,
        with_time: counted.with_time,
      });
      expect(fromScratch).toEqual(live);
      expect(status).toMatchObject({ projection: 'read-models', totalLag: 0, parkedWaiting: 0 });
    }, 900000);
  });
});
