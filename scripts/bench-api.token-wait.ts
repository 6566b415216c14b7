/**
 * The token-wait line of `npm run bench:api`: how long a client waits for read-your-writes.
 * Commands go through Kafka at a fixed rate (BENCH_TOKEN_WAIT_RATE, 200/s) to the built command
 * processor and projector; as each result arrives, GET /v1/monitors/:id with its position as
 * X-Consistency-Token goes to a read API process. Two of them run side by side: one woken by the
 * projector's checkpoint notifications, one polling the checkpoints every 25 ms (notifications
 * off). They are measured in alternating rounds (after 5 s unmeasured), BENCH_TOKEN_WAIT_SECONDS
 * (20) each in all, not at the same time: the polling one's queries would slow the projector
 * both wait for. The figure is the time from the result's arrival to the answer; beside it, the
 * floor: when the bench's own LISTEN connection hears the checkpoint that includes the position.
 */
import { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logLevel } from 'kafkajs';
import { loadKafkaSecurity } from '@vinsight/config';
import { Client, Pool } from 'pg';
import { decodeConsistencyToken } from '@vinsight/contracts';
import { parseCheckpointPayload, READ_MODEL_CHANNELS } from '@vinsight/database';
import { CommandClient, createKafkaClient, topicNames } from '@vinsight/kafka';
import { BenchUrls } from './bench-api.data';
import { personalDataEnvironment } from '../libs/personal-data/src/testing/test-keys';

const RATE = Number(process.env.BENCH_TOKEN_WAIT_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_TOKEN_WAIT_SECONDS ?? 20);
const WARMUP_SECONDS = 5;
const TENANTS = 20;
const MONITORS_PER_TENANT = 3;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export interface TokenWaitFigures {
  commands: number;
  /** Result received -> the projector's notification of a checkpoint past its position. */
  projected: { p50: number; p99: number };
  notified: { p50: number; p99: number; failures: number };
  polled: { p50: number; p99: number; failures: number };
}

export interface TokenWaitProcesses {
  start(name: string, args: string[], port: number, env: Record<string, string>): Promise<ChildProcess>;
  stop(child: ChildProcess): Promise<void>;
}

interface Envelope {
  commandId: string;
  type: string;
  tenantId: string;
  payload: Record<string, unknown>;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function measureTokenWait(
  urls: BenchUrls,
  processes: TokenWaitProcesses,
  log: (line: string) => void,
): Promise<TokenWaitFigures> {
  const prefix = `bench.tokenwait.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const roleEnv = {
    DATABASE_URL: urls.owner,
    PROJECTOR_DATABASE_URL: urls.projector,
    ...personalDataEnvironment(process.env),
    API_DATABASE_URL: urls.api,
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
    KAFKA_BROKERS: BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `bench-tokenwait-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '12',
  };
  const role = (name: string, port: number) =>
    processes.start(name, [join(__dirname, '..', 'apps', name, 'src', 'main.js')], port, { ...roleEnv, HTTP_PORT: String(port) });
  const api = (mode: 'notified' | 'polled', port: number) =>
    processes.start(`read API (${mode})`, [join(__dirname, 'bench-api.server.js'), mode], port, { ...roleEnv, HTTP_PORT: String(port) });

  const kafka = createKafkaClient({ brokers: BROKERS, ...loadKafkaSecurity(), clientId: 'bench-token-wait' }, { logLevel: logLevel.ERROR });
  const tenants = Array.from({ length: TENANTS }, () => ({
    id: randomUUID(),
    token: `vik_${randomUUID()}`,
    monitors: Array.from({ length: MONITORS_PER_TENANT }, () => randomUUID()),
  }));
  const children: ChildProcess[] = [];
  let client: CommandClient | undefined;
  let closeWatch = async () => undefined as void;
  try {
    children.push(await role('command-processor', 3921));
    children.push(await role('projector', 3922));
    children.push(await api('notified', 3923));
    children.push(await api('polled', 3924));
    client = await CommandClient.connect(kafka, topics);
    const projection = await ProjectionWatch.start(urls, topics);
    closeWatch = () => projection.stop();

    const setup: Envelope[] = tenants.flatMap((t) => [
      {
        commandId: randomUUID(),
        type: 'CreateTenant',
        tenantId: t.id,
        payload: { name: 'Token wait', slug: `tw-${t.id}`, plan: 'enterprise' },
      },
      {
        commandId: randomUUID(),
        type: 'IssueApiKey',
        tenantId: t.id,
        payload: { apiKeyId: randomUUID(), name: 'bench', tokenSha256: sha256(t.token) },
      },
      ...t.monitors.map((monitorId) => ({
        commandId: randomUUID(),
        type: 'CreateMonitor',
        tenantId: t.id,
        payload: { monitorId, name: 'Token wait', url: 'https://example.com/health', checkInterval: 30 },
      })),
    ]);
    const done = Promise.all(setup.map((c) => client!.waitFor(c.commandId, 1, 120000)));
    await client.sendMany(setup);
    await done;

    let n = 0;
    const next = (): { envelope: Envelope; tenant: (typeof tenants)[number]; monitorId: string } => {
      const i = n++;
      const tenant = tenants[i % TENANTS];
      const monitorId = tenant.monitors[Math.floor(i / TENANTS) % MONITORS_PER_TENANT];
      const envelope =
        i % 20 === 0
          ? { commandId: randomUUID(), type: 'UpdateMonitor', tenantId: tenant.id, payload: { monitorId, name: `m${i}` } }
          : {
              commandId: randomUUID(),
              type: 'RecordCheckResult',
              tenantId: tenant.id,
              payload: {
                monitorId,
                checkId: randomUUID(),
                status: i % 17 === 0 ? 'down' : 'up',
                responseTimeMs: 50 + (i % 400),
                checkedAt: new Date().toISOString(),
              },
            };
      return { envelope, tenant, monitorId };
    };

    const ports = { notified: 3923, polled: 3924 };
    const waits = { notified: [] as number[], polled: [] as number[] };
    const sentTo = { notified: 0, polled: 0 };
    const run = async (mode: 'notified' | 'polled', seconds: number, measured = true) => {
      const pending = new Map<string, { token: string; monitorId: string }>();
      const reads: Promise<void>[] = [];
      const read = async (path: string, token: string, position: string, receivedAt: number) => {
        try {
          const response = await fetch(`http://127.0.0.1:${ports[mode]}${path}`, {
            headers: { authorization: `Bearer ${token}`, 'x-consistency-token': position },
          });
          await response.arrayBuffer();
          if (response.status === 200 && measured) waits[mode].push(Date.now() - receivedAt);
        } catch {
          // counted as a failure: no answer
        }
      };
      client!.onResult = (result, receivedAt) => {
        const sent = pending.get(result.commandId);
        if (!sent || typeof result.position !== 'string') return;
        pending.delete(result.commandId);
        if (measured) projection.measure(result.position, receivedAt);
        reads.push(read(`/v1/monitors/${sent.monitorId}`, sent.token, result.position, receivedAt));
      };
      const begin = Date.now();
      const total = RATE * seconds;
      if (measured) sentTo[mode] += total;
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - begin) / 1000) * RATE) + 1);
        const batch: Envelope[] = [];
        for (; sent < due; sent++) {
          const command = next();
          pending.set(command.envelope.commandId, { token: command.tenant.token, monitorId: command.monitorId });
          batch.push(command.envelope);
        }
        if (batch.length > 0) await client!.sendMany(batch);
        await sleep(5);
      }
      const deadline = Date.now() + 30000;
      while (pending.size > 0 && Date.now() < deadline) await sleep(20);
      client!.onResult = undefined;
      await Promise.all(reads);
    };

    await run('notified', WARMUP_SECONDS, false);
    const rounds = 4;
    for (let round = 0; round < rounds; round++) await run(round % 2 === 0 ? 'notified' : 'polled', SECONDS / rounds);
    const figuresOf = (mode: 'notified' | 'polled') => {
      const sorted = waits[mode].sort((a, b) => a - b);
      // Reads refused, failed, or never sent because the result did not come back in time.
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), failures: sentTo[mode] - sorted.length };
    };
    const projected = projection.figures();
    const figures = { commands: sentTo.notified + sentTo.polled, projected, notified: figuresOf('notified'), polled: figuresOf('polled') };
    log(
      `token wait @ ${RATE} commands/s (result received -> read with its token answered, ${figures.commands} commands, alternating rounds): ` +
        `notified p50 ${figures.notified.p50} ms, p99 ${figures.notified.p99} ms; polled every 25 ms p50 ${figures.polled.p50} ms, p99 ${figures.polled.p99} ms; ` +
        `(projected, as heard by a listener: p50 ${figures.projected.p50} ms, p99 ${figures.projected.p99} ms)` +
        `${figures.notified.failures + figures.polled.failures > 0 ? `   FAILED ${figures.notified.failures} notified, ${figures.polled.failures} polled` : ''}`,
    );
    return figures;
  } finally {
    await client?.disconnect().catch(() => undefined);
    await closeWatch().catch(() => undefined);
    for (const child of children.reverse()) await processes.stop(child);
    await forgetBenchTenants(
      urls,
      prefix,
      tenants.map((t) => t.id),
    );
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: Object.values(topics) }))
      .catch(() => undefined)
      .finally(() => admin.disconnect());
  }
}

/** Hears the projector's checkpoint notifications, and when each measured position became included. */
class ProjectionWatch {
  private readonly next = new Map<string, bigint>();
  private readonly waiting = new Set<{ required: [string, bigint][]; receivedAt: number }>();
  private readonly delays: number[] = [];

  private constructor(
    private readonly client: Client,
    private readonly topics: { events: string; checkEvents: string },
  ) {}

  static async start(urls: BenchUrls, topics: { events: string; checkEvents: string }): Promise<ProjectionWatch> {
    const client = new Client({ connectionString: urls.projector });
    client.on('error', () => undefined);
    await client.connect();
    const watch = new ProjectionWatch(client, topics);
    client.on('notification', ({ payload }) => watch.heard(payload ?? ''));
    await client.query(`LISTEN ${READ_MODEL_CHANNELS.checkpoint}`);
    return watch;
  }

  measure(token: string, receivedAt: number): void {
    const position = decodeConsistencyToken(token);
    if (!position) return;
    const required: [string, bigint][] = [];
    if (position.eventsOffset !== undefined) required.push([`${position.partition}:${this.topics.events}`, BigInt(position.eventsOffset)]);
    if (position.checkEventsOffset !== undefined)
      required.push([`${position.partition}:${this.topics.checkEvents}`, BigInt(position.checkEventsOffset)]);
    const entry = { required, receivedAt };
    if (this.included(entry.required)) this.delays.push(Date.now() - receivedAt);
    else this.waiting.add(entry);
  }

  figures(): { p50: number; p99: number } {
    const sorted = [...this.delays].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }

  stop(): Promise<void> {
    return this.client.end();
  }

  private heard(payload: string): void {
    const notice = parseCheckpointPayload(payload);
    if (!notice) return;
    const key = `${notice.partition}:${notice.topic}`;
    if ((this.next.get(key) ?? -1n) < notice.nextOffset) this.next.set(key, notice.nextOffset);
    for (const entry of this.waiting) {
      if (!this.included(entry.required)) continue;
      this.delays.push(Date.now() - entry.receivedAt);
      this.waiting.delete(entry);
    }
  }

  private included(required: [string, bigint][]): boolean {
    return required.every(([key, offset]) => (this.next.get(key) ?? -1n) > offset);
  }
}

/**
 * Removes what a run left in a bench database: its tenants' rows, slug reservations, checkpoints
 * and snapshots. API key token reservations stay (they are for ever, and bench tokens are random).
 */
export async function forgetBenchTenants(urls: BenchUrls, prefix: string, tenantIds: string[]): Promise<void> {
  const pool = new Pool({ connectionString: urls.projector, max: 1 });
  try {
    const { rows } = await pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE a.attname = 'tenant_id' AND s.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND NOT a.attisdropped
          AND c.relname <> 'api_key_token_reservations'`,
    );
    for (const { name } of rows) await pool.query(`DELETE FROM ${name} WHERE tenant_id = ANY($1::uuid[])`, [tenantIds]);
    await pool.query('DELETE FROM tenants WHERE id = ANY($1::uuid[])', [tenantIds]);
    await pool.query('DELETE FROM projection_checkpoints WHERE topic LIKE $1', [`${prefix}%`]);
    await pool.query('DELETE FROM processor_snapshots WHERE stream LIKE $1', [`${prefix}%`]);
  } finally {
    await pool.end();
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
