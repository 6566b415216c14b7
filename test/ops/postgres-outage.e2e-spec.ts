import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Kafka } from 'kafkajs';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { createMonitor, createTenant, Envelope, recordCheck } from '../commands/commands';
import { seededRandom } from '../commands/crash-workload';
import { auditExactlyOnce, captureCommitted, NO_VIOLATIONS, violations } from '../commands/exactly-once-audit';
import { freePort, roleEnvironment, ServiceProcess } from '../e2e/service-process';
import { deleteTestTopics } from '../projections/support/projector-harness';
import { KafkaTenantScenario } from '../read-api/kafka-tenant.scenario';
import { testEnv } from '../test-env';
import { createServiceCluster, dropCluster, roleUrl, startCluster, stopCluster, superuserQuery } from './support/pg-test-clusters';

/**
 * A Postgres primary outage under load (issues 12 and 14): the built all-in-one process runs on a
 * Postgres cluster of this test's own (`pgoutage` on 5450, prepared by the local stack's
 * setup.sh) and the shared broker, while commands stream through Kafka and readers loop over the
 * API. The primary is stopped (fast shutdown, as a restart or failover does) for 30 s, three
 * times. The process must live through it (same pid, never exits), answer reads 503 problem+json
 * with Retry-After while the database is gone (never 500, never a dropped connection), keep
 * liveness 200, turn readiness 503 during the outage and 200 again by itself afterwards, and lose
 * or duplicate no command: every command exactly one result, every event once, every accepted
 * check projected.
 */
const CLUSTER = 'pgoutage';
const PORT = 5450;
const DATABASE = 'vinsight_outage';
const OUTAGES = 3;
const OUTAGE_MS = Number(process.env.PG_OUTAGE_MS ?? 30_000);
/** Between outages: longer than the processor's back-off bound, so each outage's commands are answered before the next. */
const CALM_MS = 15_000;
/** Commands published every 100 ms: 50 per second. */
const COMMANDS_PER_TICK = 5;
const READERS = 4;
const READY_WITHIN_MS = 10_000;
/** A paused partition resumes within the back-off bound (5 s) of Postgres' return, then reloads and catches up. */
const RESULTS_WITHIN_MS = 15_000;
const SEED = Number(process.env.PG_OUTAGE_SEED ?? 20261203);
const JWT_SECRET = `outage-secret-${randomUUID()}`;
const SERVICE_LOG = join(tmpdir(), 'vinsight-postgres-outage.log');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  path: string;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or the network error's code when there was no answer. */
  outcome: number | string;
  problemJson: boolean;
  retryAfter: string | null;
}

interface Outage {
  stoppedAt: number;
  restartedAt: number;
  readyAt?: number;
}

describe('Postgres primary outage under command and read load', () => {
  const prefix = `pgoutage.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  let kafka: Kafka;
  let client: CommandClient | undefined;
  let service: ServiceProcess | undefined;

  beforeAll(() => {
    createServiceCluster(CLUSTER, PORT, DATABASE);
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'pg-outage-test' }, { logLevel: 1 });
  });

  afterAll(async () => {
    await client?.disconnect().catch(() => undefined);
    await service?.stop();
    await deleteTestTopics(kafka, topics);
    dropCluster(CLUSTER);
  });

  it('started while Postgres is down: waits for it with a line per attempt instead of exiting, then starts', async () => {
    const bootPrefix = `pgoutage.boot.${randomUUID().slice(0, 8)}.`;
    stopCluster(CLUSTER);
    const booting = ServiceProcess.start('all-in-one', serviceEnvironment(bootPrefix), await freePort());
    let exited = false;
    void booting.exited.then(() => (exited = true));
    try {
      // Node loads the whole application before the first attempt: seconds on a busy machine.
      const waiting = () => matches(booting.logs, /Postgres \(migrations\) not available/g);
      for (const deadline = Date.now() + 30_000; waiting() < 3 && !exited && Date.now() < deadline;) await sleep(200);
      const waitingLines = waiting();
      expect({ exited, waitingLines: waitingLines >= 3 }).toEqual({ exited: false, waitingLines: true });
      startCluster(CLUSTER);
      const restartedAt = Date.now();
      await booting.waitFor('/health/startup', 60_000);
      await booting.waitFor('/health/ready', 60_000);
      process.stdout.write(
        `boot during an outage: ${waitingLines} attempts logged, ready ${(Date.now() - restartedAt) / 1000} s after Postgres started\n`,
      );
    } finally {
      startCluster(CLUSTER);
      await booting.stop();
      await deleteTestTopics(kafka, topicNames(bootPrefix));
    }
  }, 180_000);

  it('stopped for 30 s three times: the process stays up, reads answer 503, readiness recovers, no command lost or duplicated', async () => {
    const running = ServiceProcess.start('all-in-one', serviceEnvironment(prefix), await freePort());
    service = running;
    let exitedAt: number | undefined;
    void running.exited.then(() => (exitedAt = Date.now()));
    await running.waitFor('/health/startup', 90_000);
    await running.waitFor('/health/ready', 60_000);
    const pid = running.child.pid;

    // Two tenants to read: one by API key (looked up on the primary), one by JWT.
    client = await CommandClient.connect(kafka, topics);
    const commands = client;
    const byKey = new KafkaTenantScenario(commands, new Date());
    const byJwt = new KafkaTenantScenario(commands, new Date());
    await byKey.create('enterprise');
    await byJwt.create('enterprise');
    const monitors = [await byKey.createMonitor('home'), await byKey.createMonitor('shop')];
    const jwtMonitor = await byJwt.createMonitor('api');
    const jwt = await new SignJWT({ tenant_id: byJwt.tenantId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const readers = [
      { token: byKey.token, paths: ['/v1/monitors', `/v1/monitors/${monitors[0]}`, '/v1/tenant', `/v1/monitors/${monitors[1]}/checks`] },
      { token: jwt, paths: ['/v1/tenant', `/v1/monitors/${jwtMonitor}`, '/v1/monitors'] },
    ];
    // Readers start once the projector has written what they read.
    for (const [token, position] of [
      [byKey.token, byKey.position],
      [jwt, byJwt.position],
    ]) {
      const response = await fetch(running.url('/v1/monitors'), {
        headers: { authorization: `Bearer ${token}`, 'x-consistency-token': position },
      });
      expect(response.status).toBe(200);
    }

    // Commands: mostly check results, a new tenant (slug reservation in Postgres) and its monitor every tick.
    const random = seededRandom(SEED);
    const sent: Envelope[] = [];
    const sentAt = new Map<string, number>();
    const resultAt = new Map<string, number>();
    commands.onResult = (result, receivedAt) => {
      if (!resultAt.has(result.commandId)) resultAt.set(result.commandId, receivedAt);
    };
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        const tenantId = randomUUID();
        const batch: Envelope[] = [createTenant(tenantId), createMonitor(tenantId)];
        while (batch.length < COMMANDS_PER_TICK)
          batch.push(recordCheck(byKey.tenantId, monitors[Math.floor(random() * monitors.length)], random() < 0.8 ? 'up' : 'down'));
        await commands.sendMany(batch);
        sent.push(...batch);
        for (const c of batch) sentAt.set(c.commandId, Date.now());
        await sleep(100);
      }
    })();

    // Reads in a loop, and the probes twice a second.
    const answers: Answer[] = [];
    const probes: { path: string; at: number; outcome: number | string }[] = [];
    let reading = true;
    const get = async (path: string, token?: string): Promise<Omit<Answer, 'path' | 'startedAt' | 'endedAt'>> => {
      try {
        const response = await fetch(running.url(path), {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        return {
          outcome: response.status,
          problemJson: (response.headers.get('content-type') ?? '').startsWith('application/problem+json'),
          retryAfter: response.headers.get('retry-after'),
        };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        return { outcome: cause?.code ?? (error as Error).name, problemJson: false, retryAfter: null };
      }
    };
    const readLoops = Array.from({ length: READERS }, async (_, index) => {
      const reader = readers[index % readers.length];
      for (let n = 0; reading; n++) {
        const path = reader.paths[n % reader.paths.length];
        const startedAt = Date.now();
        const answer = await get(path, reader.token);
        answers.push({ path, startedAt, endedAt: Date.now(), ...answer });
        await sleep(20);
      }
    });
    const probeLoop = (async () => {
      while (reading) {
        for (const path of ['/health/live', '/health/ready']) {
          const at = Date.now();
          probes.push({ path, at, outcome: (await get(path)).outcome });
        }
        await sleep(500);
      }
    })();

    const outages: Outage[] = [];
    for (let i = 0; i < OUTAGES; i++) {
      await sleep(CALM_MS);
      stopCluster(CLUSTER);
      const outage: Outage = { stoppedAt: Date.now(), restartedAt: 0 };
      outages.push(outage);
      await sleep(OUTAGE_MS);
      startCluster(CLUSTER);
      outage.restartedAt = Date.now();
      while (outage.readyAt === undefined && Date.now() - outage.restartedAt < 60_000 && exitedAt === undefined) {
        if ((await get('/health/ready')).outcome === 200) outage.readyAt = Date.now();
        else await sleep(250);
      }
      if (outage.readyAt === undefined) break;
    }
    await sleep(CALM_MS);
    reading = false;
    publishing = false;
    await Promise.all([publisher, probeLoop, ...readLoops]);

    // Every command's result, then the topics themselves audited.
    const waited = await Promise.allSettled(sent.map((c) => commands.waitFor(c.commandId, 1, exitedAt === undefined ? 120_000 : 1)));
    const withoutResult = waited.filter((w) => w.status === 'rejected').length;
    const audit = auditExactlyOnce(sent, await captureCommitted(kafka, topics), topics);
    // The projector caught up with every accepted check (it kept its place through the outages).
    const acceptedChecks = new Set(sent.filter((c) => c.type === 'RecordCheckResult').map((c) => c.payload.checkId as string)).size;
    const projected = await projectedChecks(byKey.tenantId, acceptedChecks, exitedAt === undefined ? 60_000 : 0);

    const windows = outages.map((o) => ({ from: o.stoppedAt, to: o.restartedAt }));
    const during = answers.filter((a) => windows.some((w) => a.startedAt >= w.from && a.endedAt <= w.to));
    const outside = answers.filter((a) => outages.every((o) => a.endedAt < o.stoppedAt - 1000 || a.startedAt > (o.readyAt ?? Infinity)));
    const count = (list: { outcome: number | string }[]) =>
      list.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.outcome]: (acc[a.outcome] ?? 0) + 1 }), {});
    /** Commands published while Postgres was down: when their results came, from the restart. */
    const resultsAfter = (o: Outage) => {
      const published = sent.filter((c) => sentAt.get(c.commandId)! >= o.stoppedAt && sentAt.get(c.commandId)! <= o.restartedAt);
      const received = published.map((c) => resultAt.get(c.commandId)).filter((at): at is number => at !== undefined);
      const seconds = (at: number) => Math.round((at - o.restartedAt) / 100) / 10;
      return {
        commandsPublished: published.length,
        resultsDuringOutage: received.filter((at) => at < o.restartedAt).length,
        lastResultSecondsAfterRestart: received.length > 0 ? seconds(Math.max(...received)) : null,
      };
    };
    const readinessDuring = probes.filter((p) => p.path === '/health/ready' && windows.some((w) => p.at >= w.from + 3000 && p.at < w.to));
    const figures = {
      pid,
      exited: exitedAt !== undefined,
      outages: outages.map((o, i) => ({
        outage: i + 1,
        downSeconds: (o.restartedAt - o.stoppedAt) / 1000,
        readySecondsAfterRestart: o.readyAt === undefined ? null : (o.readyAt - o.restartedAt) / 1000,
        answers: count(during.filter((a) => a.startedAt >= o.stoppedAt && a.endedAt <= o.restartedAt)),
        ...resultsAfter(o),
      })),
      serviceLog: {
        processorBackOffs: matches(running.logs, /commands\[\d+\]: slice failed|loading [^\n]*commands\[\d+\][^\n]* failed, retrying in/g),
        projectorBatchesFailed: matches(running.logs, /events\[\d+\]: slice failed/g),
        pooledConnectionsLost: matches(running.logs, /pool: connection lost/g),
        readApi503Lines: matches(running.logs, /database unavailable, answering 503/g),
      },
      answersDuringOutages: count(during),
      answersOutsideOutages: count(outside),
      liveness: count(probes.filter((p) => p.path === '/health/live')),
      readinessDuringOutages: count(readinessDuring),
      commands: sent.length,
      withoutResult,
      audit,
      acceptedChecks,
      projectedChecks: projected,
    };
    process.stdout.write(`postgres outage figures: ${JSON.stringify(figures)}\n`);
    writeFileSync(SERVICE_LOG, running.logs);
    process.stdout.write(`the service's output: ${SERVICE_LOG}\n`);

    expect({ exited: exitedAt !== undefined, alive: processAlive(pid) }).toEqual({ exited: false, alive: true });
    expect(outages).toHaveLength(OUTAGES);
    for (const o of outages) {
      expect(o.readyAt).toBeDefined();
      expect(o.readyAt! - o.restartedAt).toBeLessThan(READY_WITHIN_MS);
    }
    // During an outage: only 503 problem+json with Retry-After, for every request, none lost.
    for (const figure of figures.outages) {
      expect(figure.answers[503]).toBeGreaterThan(0);
      expect(figure.lastResultSecondsAfterRestart! * 1000).toBeLessThan(RESULTS_WITHIN_MS);
    }
    expect(Object.keys(figures.answersDuringOutages)).toEqual(['503']);
    expect(during.filter((a) => !a.problemJson || a.retryAfter === null)).toEqual([]);
    // Around them, everything answered 200.
    expect(Object.keys(figures.answersOutsideOutages)).toEqual(['200']);
    expect(Object.keys(figures.liveness)).toEqual(['200']);
    expect(Object.keys(figures.readinessDuringOutages)).toEqual(['503']);
    expect(withoutResult).toBe(0);
    expect(violations(audit)).toEqual(NO_VIOLATIONS);
    expect(audit.accepted).toBe(sent.length);
    expect(projected).toBe(acceptedChecks);
  }, 900_000);
});

/** The all-in-one process on this test's cluster and the shared broker, under its own topics. */
function serviceEnvironment(topicPrefix: string): Record<string, string> {
  return roleEnvironment({
    DATABASE_URL: roleUrl('vinsight_owner', PORT, DATABASE),
    PROJECTOR_DATABASE_URL: roleUrl('vinsight_projector', PORT, DATABASE),
    ...testEnv.personalDataEnvironment,
    API_DATABASE_URL: roleUrl('vinsight_api', PORT, DATABASE),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_CLIENT_ID: topicPrefix.replace(/\.$/, ''),
    KAFKA_PARTITIONS: '3',
    JWT_HS256_SECRET: JWT_SECRET,
    READ_API_RATE_LIMIT_PER_SECOND: '0',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    // Snapshots are saved now and then, outages included, and loaded by every partition reload.
    PROCESSOR_SNAPSHOT_EVERY_EVENTS: '500',
  });
}

function matches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Checks of the tenant in the read model, once they reach `expected` or `waitMs` has passed. */
async function projectedChecks(tenantId: string, expected: number, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const rows = await superuserQuery<{ count: string }>(
      PORT,
      `SELECT count(*)::text AS count FROM monitor_checks WHERE tenant_id = '${tenantId}'`,
      DATABASE,
    ).catch(() => [{ count: '-1' }]);
    const count = Number(rows[0].count);
    if (count >= expected || Date.now() >= deadline) return count;
    await sleep(500);
  }
}
