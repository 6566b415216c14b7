import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { CommandClient, CommandResultLike, createKafkaClient, topicNames } from '@vinsight/kafka';
import { TenantWriteState } from '@vinsight/domain';
import { ServiceProcess, freePort, roleEnvironment } from '../e2e/service-process';
import { deleteTestTopics } from '../projections/support/projector-harness';
import { testEnv } from '../test-env';
import { deleteTenants } from './read-api.fixtures';
import { projectorPool } from './read-api.harness';
import {
  allowedStates,
  ModelledCommand,
  ModelRun,
  MonitorPart,
  Observation,
  sequenceArbitrary,
  TenantIndex,
  unexplainedParts,
} from './read-your-writes.model';

const SEED = 20261203;
const SEQUENCES = 200;
/** Sequences run side by side (each one's steps in order), so one transaction often carries several tenants' commands. */
const CONCURRENCY = 12;

interface Violation {
  sequence: number;
  step: number;
  command: string;
  problem: string;
}

/**
 * Read-your-writes as a property, end to end on the built processor, projector and read API:
 * fast-check generates command sequences for two tenants (creates, updates, repeated commandIds
 * and checkIds, rejections, revocations, deletions); each step's commands are published together
 * over Kafka; after each result, a read with that result's position as X-Consistency-Token must
 * show exactly the state libs/domain's deciders give up to that command (see
 * allowedObservations for the step's later commands), with the outcome they give.
 */
describe('read-your-writes for every command result (property)', () => {
  const prefix = `e2e.ryw.${randomUUID().slice(0, 8)}.`;
  const topics = topicNames(prefix);
  const env = roleEnvironment({
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_CLIENT_ID: `e2e-ryw-${randomUUID().slice(0, 8)}`,
    KAFKA_PARTITIONS: '3',
    MIGRATE_ON_START: 'false',
    READ_API_RATE_LIMIT_PER_SECOND: '0',
    CONSISTENCY_WAIT_MS: '10000',
  });
  let kafka: Kafka;
  let client: CommandClient;
  let pool: Pool;
  let processor: ServiceProcess;
  let projector: ServiceProcess;
  let api: ServiceProcess;
  const tenantIds: string[] = [];

  beforeAll(async () => {
    pool = projectorPool();
    kafka = createKafkaClient({ ...testEnv.kafka, clientId: 'ryw-e2e' }, { logLevel: 1 });
    processor = ServiceProcess.start('command-processor', env, await freePort());
    await processor.waitFor('/health/startup', 60000);
    projector = ServiceProcess.start('projector', env, await freePort());
    api = ServiceProcess.start('read-api', env, await freePort());
    await Promise.all([projector.waitFor('/health/startup', 60000), api.waitFor('/health/live')]);
    client = await CommandClient.connect(kafka, topics);
  });

  afterAll(async () => {
    await client?.disconnect();
    await Promise.all([api?.stop(), projector?.stop(), processor?.stop()]);
    if (pool) {
      await deleteTenants(pool, tenantIds);
      await pool.query('DELETE FROM tenant_slug_reservations WHERE tenant_id = ANY($1::uuid[])', [tenantIds]);
      await pool.query('DELETE FROM projection_checkpoints WHERE topic LIKE $1', [`${prefix}%`]);
      await pool.query('DELETE FROM processor_snapshots WHERE stream = $1', [topics.commands]);
      await pool.end();
    }
    if (kafka) await deleteTestTopics(kafka, topics);
  });

  interface MonitorView {
    id: string;
    name: string;
    checkInterval: number;
    isActive: boolean;
    status: string;
    version: number;
  }
  /** The fields read here of /v1/tenant, /v1/monitors and /v1/monitors/:id/checks. */
  type Body = { name: string; plan: string; data: MonitorView[] };

  async function get(path: string, key: string, position: string | undefined): Promise<{ status: number; body: Body }> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (position !== undefined) headers['x-consistency-token'] = position;
    const response = await fetch(api.url(path), { headers });
    return { status: response.status, body: (response.status === 200 ? await response.json() : null) as Body };
  }

  /** Reads tenant `t` the way a client would, with `position` as X-Consistency-Token. */
  async function observe(
    run: ModelRun,
    t: TenantIndex,
    position: string | undefined,
    reads: { count: number },
  ): Promise<{ observed: Observation; admitted: number | null }> {
    const tenantReads = await Promise.all([0, 1, 2].map((key) => get('/v1/tenant', run.keyToken(t, key), position)));
    reads.count += 3;
    const observed: Observation = {};
    tenantReads.forEach((read, key) => (observed[`key${key}`] = read.status));
    const admitted = tenantReads.findIndex((r) => r.status === 200);
    if (admitted < 0) return { observed, admitted: null };
    observed.tenant = { name: tenantReads[admitted].body.name, plan: tenantReads[admitted].body.plan };
    const key = run.keyToken(t, admitted);
    const list = await get('/v1/monitors?limit=500', key, position);
    reads.count += 1;
    if (list.status !== 200) {
      observed.monitors = `HTTP ${list.status}`;
      return { observed, admitted };
    }
    const monitors: MonitorPart[] = list.body.data.map(({ id, name, checkInterval, isActive, status, version }) => ({
      id,
      name,
      checkInterval,
      isActive,
      status,
      version,
    }));
    observed.monitors = monitors.sort((a, b) => a.id.localeCompare(b.id));
    for (const { id } of monitors) {
      const checks = await get(`/v1/monitors/${id}/checks?limit=500`, key, position);
      reads.count += 1;
      observed[`checks:${id}`] = checks.status === 200 ? checks.body.data.map((c) => c.id).sort() : `HTTP ${checks.status}`;
    }
    return { observed, admitted };
  }

  it(`holds for ${SEQUENCES} generated sequences (seed ${SEED})`, async () => {
    const started = performance.now();
    const sequences = fc.sample(sequenceArbitrary, { seed: SEED, numRuns: SEQUENCES });
    const violations: Violation[] = [];
    const counts = {
      sequences: 0,
      commands: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      noOps: 0,
      checkRepeats: 0,
      revocations: 0,
      deletions: 0,
      reads: { count: 0 },
    };
    const rejectedCodes = new Map<string, number>();

    const runSequence = async (index: number) => {
      const run = new ModelRun();
      tenantIds.push(...run.tenantIds);
      const sent = new Map<string, number>();
      for (const [stepIndex, step] of sequences[index].entries()) {
        const before: TenantWriteState[] = [...run.states];
        const modelled: ModelledCommand[] = [];
        for (const op of step) {
          const envelope = run.envelopeOf(op);
          if (envelope) modelled.push(run.apply(envelope));
        }
        if (modelled.length === 0) continue;
        // The client keeps one waiter per command id: a command published twice in a step is awaited once, for both results.
        const nths = modelled.map(({ envelope }) => {
          const nth = (sent.get(envelope.commandId) ?? 0) + 1;
          sent.set(envelope.commandId, nth);
          return nth;
        });
        const awaited = new Map<string, Promise<CommandResultLike[]>>();
        for (const commandId of new Set(modelled.map((m) => m.envelope.commandId)))
          awaited.set(commandId, client.waitFor(commandId, sent.get(commandId)));
        await client.sendMany(modelled.map((m) => m.envelope));
        const results = await Promise.all(
          modelled.map(({ envelope }, i) => awaited.get(envelope.commandId)!.then((all) => all[nths[i] - 1])),
        );
        for (const [i, command] of modelled.entries()) {
          const result = results[i];
          const where = { sequence: index, step: stepIndex, command: `${command.envelope.type} ${command.envelope.commandId}` };
          counts.commands += 1;
          if (command.outcome.duplicate) counts.duplicates += 1;
          else if (command.outcome.status === 'accepted') counts.accepted += 1;
          else {
            counts.rejected += 1;
            rejectedCodes.set(command.outcome.code!, (rejectedCodes.get(command.outcome.code!) ?? 0) + 1);
          }
          if (!command.outcome.duplicate && command.outcome.status === 'accepted' && command.events.length === 0) counts.noOps += 1;
          if (
            command.envelope.type === 'RecordCheckResult' &&
            !command.outcome.duplicate &&
            command.outcome.status === 'accepted' &&
            command.events.length === 0
          )
            counts.checkRepeats += 1;
          if (command.envelope.type === 'RevokeApiKey' && command.events.length > 0) counts.revocations += 1;
          if (command.envelope.type === 'DeleteTenant' && command.events.length > 0) counts.deletions += 1;

          const outcome = {
            status: result.status,
            code: (result.error as { code?: string } | undefined)?.code,
            duplicate: result.duplicate,
          };
          if (
            outcome.status !== command.outcome.status ||
            outcome.code !== command.outcome.code ||
            outcome.duplicate !== command.outcome.duplicate
          ) {
            violations.push({ ...where, problem: `outcome ${JSON.stringify(outcome)}, deciders say ${JSON.stringify(command.outcome)}` });
          }
          const position = typeof result.position === 'string' ? result.position : undefined;
          if (position === undefined) violations.push({ ...where, problem: 'the result has no position' });

          const t = command.tenant;
          const ofTenant = modelled.filter((m) => m.tenant === t);
          const { observed, admitted } = await observe(run, t, position, counts.reads);
          const monitorIds = Object.keys(observed).flatMap((part) => (part.startsWith('checks:') ? [part.slice('checks:'.length)] : []));
          const allowed = allowedStates(before[t], ofTenant, ofTenant.indexOf(command)).map((state) =>
            run.observationOf(t, state, admitted, monitorIds),
          );
          const unexplained = unexplainedParts(observed, allowed);
          if (unexplained.length > 0) {
            violations.push({
              ...where,
              problem: `read ${JSON.stringify(observed)}; unexplained: ${unexplained.join(', ')}; the deciders say ${JSON.stringify(allowed[0])}${allowed.length > 1 ? ` (or ${allowed.length - 1} later)` : ''}`,
            });
          }
        }
      }
      counts.sequences += 1;
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < sequences.length) await runSequence(next++);
      }),
    );

    process.stdout.write(
      `read-your-writes property (seed ${SEED}): ${counts.sequences} sequences, ${counts.commands} commands ` +
        `(${counts.accepted} accepted, ${counts.rejected} rejected ${JSON.stringify(Object.fromEntries(rejectedCodes))}, ` +
        `${counts.duplicates} duplicates, ${counts.noOps} no-ops of which ${counts.checkRepeats} repeated checkIds, ` +
        `${counts.revocations} revocations, ${counts.deletions} tenant deletions), ${counts.reads.count} reads with a token, ` +
        `${violations.length} violations, in ${Math.round((performance.now() - started) / 1000)} s\n`,
    );
    for (const violation of violations.slice(0, 10)) process.stdout.write(`violation: ${JSON.stringify(violation)}\n`);
    expect(counts.sequences).toBe(SEQUENCES);
    expect(violations).toEqual([]);
  }, 400_000);
});
