import { ConfigError, loadConfig, personalDataKeysOf } from '@vinsight/config';
import { createPool } from '@vinsight/database';
import { EventEnvelope, upcastEnvelope, UpcastContext } from '@vinsight/contracts';
import { emailHasher, PersonalDataVault } from '@vinsight/personal-data';
import { createKafkaClient, readPartitionsToEnd, topicNames } from '@vinsight/kafka';
import {
  DISMISSAL_REASON_MAX,
  ParkedEventsService,
  ProjectionLagService,
  ProjectionRebuild,
  READ_MODELS_PROJECTION,
  renderProgressBar,
  renderStatus,
  RetentionService,
} from '@vinsight/projections';
import { systemClock } from '@vinsight/runtime';
import { Kafka, logLevel } from 'kafkajs';
import { checkKafkaSettings, KafkaSettingsRefusedError } from '../kafka/kafka-settings-check';

type Output = { write(text: string): unknown; isTTY?: boolean };

/** What `projections` touches outside itself. */
export interface ProjectionsCliDependencies {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Output;
  readonly stderr: Output;
}

export const PROJECTIONS_USAGE = `usage: npm run cli -- projections <command>   (or: npm run projections -- <command>)
  status [--json]
  rebuild
  parked list [--all] [--limit N]
  parked replay <id>... | --all
  parked dismiss <id>... --reason "why the read model does without them"
  retention
  events <tenant-uuid>   the tenant's events (events, then check-events, each partition in order),
                         one JSON envelope per line, upcast to the current version of each type
                         (personal data stays sealed)
  keys rewrap            rewraps every user's data key still wrapped by a previous key-encryption
                         key under DATA_KEY_ENCRYPTION_KEY (after a rotation)`;

class UsageError extends Error {}

/** The brokers answer a TLS and SASL exchange well within it; one that is down is met by the command itself. */
const KAFKA_SETTINGS_CHECK_TIMEOUT_MS = 10_000;

/**
 * `projections <command>`: the operators' CLI of the projector. Connection settings come from the
 * same environment as the service (PROJECTOR_DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX,
 * KAFKA_CLIENT_ID); it never runs migrations. Exit status: 0 done, 1 failed (or some parked
 * event not replayed or not found), 2 bad usage or Kafka settings the brokers refuse.
 */
export async function runProjectionsCli(argv: readonly string[], deps: ProjectionsCliDependencies): Promise<number> {
  const out = (line: string) => deps.stdout.write(`${line}\n`);
  const err = (line: string) => deps.stderr.write(`${line}\n`);
  try {
    return await projections([...argv], deps, out, err);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${error.message}\n${PROJECTIONS_USAGE}`);
      return 2;
    }
    if (error instanceof KafkaSettingsRefusedError) {
      err(`error: ${error.message}`);
      return 2;
    }
    err(error instanceof ConfigError ? error.message : `projections: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

type Line = (line: string) => void;

async function projections(argv: string[], deps: ProjectionsCliDependencies, out: Line, err: Line): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(PROJECTIONS_USAGE);
    return 0;
  }
  const config = loadConfig(['projector'], { ...deps.env, MIGRATE_ON_START: 'false' });
  if (command === 'status' || command === 'rebuild') await checkKafkaSettings(config.kafka, KAFKA_SETTINGS_CHECK_TIMEOUT_MS);
  // A lost connection fails the command in flight (exit 1) instead of an unheard 'error' event.
  const pool = createPool(
    { connectionString: config.database.projectorUrl!, max: 4, applicationName: 'vinsight-projections-cli' },
    (error) => err(`Postgres connection lost: ${error.message}`),
  );
  const kafka = createKafkaClient({ ...config.kafka, clientId: `${config.kafka.clientId}.cli` }, { logLevel: logLevel.NOTHING });
  const topics = topicNames(config.kafka.topicPrefix);
  const lag = new ProjectionLagService(kafka, pool, [topics.events, topics.checkEvents]);
  try {
    switch (command) {
      case 'status': {
        const partitions = await lag.lag();
        const report = {
          projection: READ_MODELS_PROJECTION,
          partitions,
          totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
          parkedWaiting: await new ParkedEventsService(pool, personalDataKeysOf(config)).countWaiting(),
        };
        out(args.includes('--json') ? JSON.stringify(report) : renderStatus(report));
        return 0;
      }
      case 'rebuild': {
        const interactive = deps.stderr.isTTY === true;
        let lastLine = 0;
        const rebuild = new ProjectionRebuild(pool, kafka, {
          groupPrefix: config.kafka.clientId,
          topics: [topics.events, topics.checkEvents],
          clock: systemClock,
          personalData: personalDataKeysOf(config),
          logger: { log: out, warn: (m) => err(`warning: ${m}`), error: (m) => err(`error: ${m}`) },
          onProgress: (progress) => {
            const line = renderProgressBar(progress);
            if (interactive) deps.stderr.write(`\r${line}\u001b[K${progress.phase === 'done' ? '\n' : ''}`);
            else if (progress.phase !== 'replaying' || Date.now() - lastLine > 5000) {
              lastLine = Date.now();
              err(line);
            }
          },
        });
        const report = await rebuild.run();
        out(
          `rebuilt ${report.events} events in ${(report.durationMs / 1000).toFixed(1)} s (${Math.round(report.eventsPerSecond)} events/s) and switched`,
        );
        return 0;
      }
      case 'parked':
        return await parked(new ParkedEventsService(pool, personalDataKeysOf(config)), args, out);
      case 'events': {
        const context: UpcastContext = { emailHashOf: emailHasher(personalDataKeysOf(config).emailHashKey) };
        return await dumpEvents(kafka, [topics.events, topics.checkEvents], args, context, out, err);
      }
      case 'keys': {
        if (args[0] !== 'rewrap') throw new UsageError(`unknown keys command ${args[0] ?? '(none)'}`);
        const vault = new PersonalDataVault(pool, personalDataKeysOf(config));
        const rewrapped = await vault.rewrapAll();
        out(`rewrapped ${rewrapped} data key(s) under key-encryption key ${vault.keyRing.current.id}`);
        return 0;
      }
      case 'retention': {
        const report = await new RetentionService(pool, systemClock).run();
        out(report.ran ? JSON.stringify(report) : 'retention is already running in another process');
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await lag.close();
    await pool.end();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every event of one tenant as this version reads it: upcast like the projector and the
 * processor upcast, so what an operator sees is what the read models were built from. A record
 * that is not an envelope, or of a version newer than this CLI, is reported on stderr (exit 1).
 */
async function dumpEvents(kafka: Kafka, topics: string[], args: string[], context: UpcastContext, out: Line, err: Line): Promise<number> {
  const [tenant] = args;
  if (tenant === undefined || !UUID.test(tenant)) throw new UsageError('events needs a tenant id (a UUID)');
  const tenantId = tenant.toLowerCase();
  let failures = 0;
  for (const topic of topics) {
    const admin = kafka.admin();
    await admin.connect();
    const partitions = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const from = new Map(partitions.map((p) => [p.partition, 0n]));
    await readPartitionsToEnd(kafka, topic, from, (partition, messages) => {
      for (const message of messages) {
        if (message.key?.toString('utf8').toLowerCase() !== tenantId) continue;
        try {
          out(JSON.stringify(upcastEnvelope(JSON.parse(message.value?.toString('utf8') ?? 'null') as EventEnvelope, context)));
        } catch (error) {
          failures += 1;
          err(`${topic}[${partition}]@${message.offset}: ${(error as Error).message}`);
        }
      }
    });
  }
  return failures === 0 ? 0 : 1;
}

async function parked(service: ParkedEventsService, args: string[], out: Line): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const limitAt = rest.indexOf('--limit');
    const limit = limitAt >= 0 ? Number(rest[limitAt + 1]) : 100;
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
    const list = await service.list({ includeReplayed: rest.includes('--all'), limit });
    if (list.length === 0) out('no parked events');
    for (const p of list) {
      out(
        `#${p.id} ${p.topic}[${p.partition}]@${p.offset} ${p.eventType ?? '(unreadable)'} ${p.eventId ?? ''} parked ${p.parkedAt.toISOString()}` +
          `${p.replayedAt ? ` resolved ${p.replayedAt.toISOString()} (${p.replayOutcome})` : ''}\n    ${p.errorCode}: ${p.reason}` +
          `${p.dismissalReason ? `\n    dismissed: ${p.dismissalReason}` : ''}`,
      );
    }
    return 0;
  }
  if (sub === 'replay') {
    const ids = rest.filter((a) => a !== '--all');
    if (!rest.includes('--all') && ids.length === 0) throw new UsageError('parked replay needs ids or --all');
    const outcomes = [];
    if (rest.includes('--all')) outcomes.push(...(await service.replayAll()));
    // one after the other, in the order given: a later event may depend on an earlier one
    else for (const id of ids) outcomes.push(await service.replay(id));
    for (const o of outcomes) out(`#${o.id} ${o.outcome}${'reason' in o ? `: ${o.errorCode} ${o.reason}` : ''}`);
    return outcomes.some((o) => o.outcome === 'failed' || o.outcome === 'not-found') ? 1 : 0;
  }
  if (sub === 'dismiss') {
    const reasonAt = rest.indexOf('--reason');
    const reason = reasonAt >= 0 ? rest[reasonAt + 1] : undefined;
    const ids = rest.filter((_, i) => i !== reasonAt && i !== reasonAt + 1);
    if (ids.length === 0 || reason === undefined || reason.trim() === '')
      throw new UsageError('parked dismiss needs ids and --reason "..."');
    if ([...reason.trim()].length > DISMISSAL_REASON_MAX) throw new UsageError(`--reason takes at most ${DISMISSAL_REASON_MAX} characters`);
    const outcomes = [];
    for (const id of ids) outcomes.push(await service.dismiss(id, reason));
    for (const o of outcomes) out(`#${o.id} ${o.outcome}`);
    return outcomes.some((o) => o.outcome === 'not-found') ? 1 : 0;
  }
  throw new UsageError(`unknown parked command ${sub ?? ''}`);
}
