import type { Kafka } from 'kafkajs';
import type { TopicNames } from '@vinsight/kafka';
import { Envelope } from './commands';
import { TopicCapture } from './topic-capture';

/** What the command side's exactly-once promise is checked by, counted from the topics themselves. */
export interface ExactlyOnceAudit {
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

/** The counts that must all be zero whatever happened to the processes in between. */
export const NO_VIOLATIONS = {
  missingOutcome: 0,
  extraOutcome: 0,
  duplicatedEvents: 0,
  eventsOfRejected: 0,
  acceptedWithoutEvents: 0,
  versionGaps: 0,
};

export function violations(a: ExactlyOnceAudit): typeof NO_VIOLATIONS {
  return {
    missingOutcome: a.missingOutcome,
    extraOutcome: a.extraOutcome,
    duplicatedEvents: a.duplicatedEvents,
    eventsOfRejected: a.eventsOfRejected,
    acceptedWithoutEvents: a.acceptedWithoutEvents,
    versionGaps: a.versionGaps,
  };
}

/**
 * Reads results and events from the beginning (read_committed) until the capture stops growing,
 * so the audit sees everything committed, never an aborted transaction's records.
 */
export async function captureCommitted(kafka: Kafka, topics: TopicNames, settleMs = 1500): Promise<TopicCapture> {
  const capture = await TopicCapture.start(kafka, [topics.commandResults, topics.events, topics.checkEvents]);
  let size = -1;
  while (size !== capture.records.length) {
    size = capture.records.length;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
  }
  await capture.stop();
  return capture;
}

/** Counts what exactly-once promises: one outcome per command, each event once, versions 1..n. */
export function auditExactlyOnce(sent: Envelope[], capture: TopicCapture, topics: TopicNames): ExactlyOnceAudit {
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
  let missingOutcome = 0,
    extraOutcome = 0,
    accepted = 0,
    rejected = 0,
    eventsOfRejected = 0,
    acceptedWithoutEvents = 0;
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
