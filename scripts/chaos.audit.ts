import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { TopicNames } from '@vinsight/kafka';

/** A command the chaos run published. */
export interface ChaosEnvelope {
  commandId: string;
  type: string;
  tenantId: string;
  payload: Record<string, unknown>;
}

interface Record_ {
  topic: string;
  json: any;
}

/**
 * Reads command results and events from the beginning (read_committed: never an aborted
 * transaction's records) for the whole run, so the audit counts what consumers of the topics see.
 */
export class TopicWatch {
  readonly records: Record_[] = [];
  /** Outcomes (not `duplicate` replays) by command id, as they arrive. */
  readonly outcomes = new Map<string, number>();
  /**
   * Records delivered again at an offset already seen: the watch's own consumer re-reads from its
   * last committed offset after a rebalance or a crash (a broker kill causes both). One offset is
   * one record; counting it twice would report duplicates and version gaps the topics do not hold.
   */
  rereads = 0;
  private readonly seen = new Set<string>();
  private constructor(
    private readonly consumer: Consumer,
    private readonly resultsTopic: string,
  ) {}

  static async start(kafka: Kafka, topics: TopicNames): Promise<TopicWatch> {
    const consumer = kafka.consumer({
      groupId: `chaos.audit.${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30000,
    });
    const watch = new TopicWatch(consumer, topics.commandResults);
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.commandResults, topics.events, topics.checkEvents], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const position = `${topic}:${partition}:${message.offset}`;
        if (watch.seen.has(position)) {
          watch.rereads++;
          return;
        }
        watch.seen.add(position);
        let json: any = null;
        try {
          json = JSON.parse(message.value?.toString('utf8') ?? 'null');
        } catch {
          json = null;
        }
        watch.records.push({ topic, json });
        if (topic === watch.resultsTopic && json && !json.duplicate)
          watch.outcomes.set(json.commandId, (watch.outcomes.get(json.commandId) ?? 0) + 1);
      },
    });
    return watch;
  }

  of(topic: string): Record_[] {
    return this.records.filter((r) => r.topic === topic);
  }

  /** Waits until nothing new arrived for `settleMs`. */
  async settle(settleMs = 3000): Promise<void> {
    let size = -1;
    while (size !== this.records.length) {
      size = this.records.length;
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export interface ChaosAudit {
  commands: number;
  accepted: number;
  rejected: number;
  /** Commands with no outcome at all. */
  missingResults: number;
  /** Outcomes beyond the first of a command (a second, non-duplicate result). */
  extraResults: number;
  duplicatedEvents: number;
  eventsOfRejected: number;
  acceptedWithoutEvents: number;
  versionGaps: number;
  events: number;
}

/** One outcome per command, each event once, versions 1..n per aggregate in log order. */
export function audit(sent: ChaosEnvelope[], watch: TopicWatch, topics: TopicNames): ChaosAudit {
  const outcomes = new Map<string, any[]>();
  for (const r of watch.of(topics.commandResults)) {
    if (!r.json || r.json.duplicate) continue;
    outcomes.set(r.json.commandId, [...(outcomes.get(r.json.commandId) ?? []), r.json]);
  }
  const all = [...watch.of(topics.events), ...watch.of(topics.checkEvents)].map((r) => r.json);
  const byEventId = new Map<string, number>();
  const byCommand = new Map<string, number>();
  for (const e of all) {
    byEventId.set(e.eventId, (byEventId.get(e.eventId) ?? 0) + 1);
    byCommand.set(e.commandId, (byCommand.get(e.commandId) ?? 0) + 1);
  }
  let missingResults = 0,
    extraResults = 0,
    accepted = 0,
    rejected = 0,
    eventsOfRejected = 0,
    acceptedWithoutEvents = 0;
  for (const c of sent) {
    const list = outcomes.get(c.commandId) ?? [];
    if (list.length === 0) missingResults++;
    if (list.length > 1) extraResults += list.length - 1;
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
  // Events of one aggregate share a partition (keyed by tenant), so log order is version order.
  const lastVersion = new Map<string, number>();
  let versionGaps = 0;
  for (const r of watch.of(topics.events)) {
    const key = `${r.json.aggregateType}/${r.json.aggregateId}`;
    if (r.json.version !== (lastVersion.get(key) ?? 0) + 1) versionGaps++;
    lastVersion.set(key, r.json.version);
  }
  return {
    commands: sent.length,
    accepted,
    rejected,
    missingResults,
    extraResults,
    duplicatedEvents: [...byEventId.values()].filter((n) => n > 1).length,
    eventsOfRejected,
    acceptedWithoutEvents,
    versionGaps,
    events: all.length,
  };
}

/** The tables a rebuild replaces: every read model. */
export const READ_MODEL_TABLES = [
  'tenants',
  'users',
  'api_keys',
  'monitors',
  'monitor_checks',
  'monitor_check_rollups_hourly',
  'monitor_check_rollups_daily',
  'incidents',
  'audit_events',
] as const;

/** md5 of every row of every read-model table, in a stable order, with the row counts. */
export async function tableChecksums(pool: Pool): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await pool.query<{ rows: string; md5: string | null }>(
      `SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5 FROM ${table} t`,
    );
    result[table] = `${rows[0].rows}:${rows[0].md5 ?? ''}`;
  }
  return result;
}
