import type { AggregateType, DecidedEvent, DomainEvent, EventOfType, EventType } from '@vinsight/domain';
import type { Jsonified } from '../json';
import { toJson } from '../json';
import type { UpcastContext } from './event-upcasters';
import { EVENT_VERSIONING } from './event-upcasters';

/** `personal` of a UserRegistered payload if it is in the clear (written by v1, or not sealed yet); null otherwise. */
export function openPersonalOrNull(personal: unknown): { email: string; passwordHash: string } | null {
  if (typeof personal !== 'object' || personal === null) return null;
  const { email, passwordHash } = personal as Record<string, unknown>;
  return typeof email === 'string' && typeof passwordHash === 'string' ? { email, passwordHash } : null;
}

interface EventEnvelopeOf<TEvent extends DomainEvent> {
  readonly eventId: string;
  readonly type: TEvent['type'];
  /**
   * The version of the payload's schema, per event type (absent: 1). Events are written in the
   * current version; readers upcast older ones (event-upcasters.ts) before using the payload.
   */
  readonly schemaVersion: number;
  readonly tenantId: string;
  readonly aggregateType: AggregateType;
  readonly aggregateId: string;
  /**
   * The aggregate's version after the event. CheckRecorded does not bump its monitor's version,
   * so it repeats the version the monitor had (the next MonitorStatusChanged, if any, is +1).
   */
  readonly version: number;
  readonly occurredAt: string;
  readonly commandId: string;
  readonly correlationId: string;
  /** An addition to asyncapi.yaml, EventEnvelope (optional): the audit read model shows who issued the command. */
  readonly issuedBy?: string;
  readonly payload: Jsonified<TEvent['data']>;
}

/** asyncapi.yaml, EventEnvelope, one member per event type so that `type` narrows `payload`. */
export type EventEnvelope<TEvent extends DomainEvent = DomainEvent> = TEvent extends DomainEvent ? EventEnvelopeOf<TEvent> : never;

export interface EventEnvelopeMetadata {
  readonly eventId: string;
  readonly occurredAt: Date;
  readonly tenantId: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly issuedBy?: string;
}

export function toEventEnvelope<TEvent extends DomainEvent>(
  decided: DecidedEvent<TEvent>,
  meta: EventEnvelopeMetadata,
): EventEnvelope<TEvent> {
  return {
    eventId: meta.eventId,
    type: decided.type,
    schemaVersion: EVENT_VERSIONING.currentVersion(decided.type),
    tenantId: meta.tenantId,
    aggregateType: decided.aggregateType,
    aggregateId: decided.aggregateId,
    version: decided.version,
    occurredAt: meta.occurredAt.toISOString(),
    commandId: meta.commandId,
    correlationId: meta.correlationId,
    ...(meta.issuedBy !== undefined && { issuedBy: meta.issuedBy }),
    payload: toJson(decided.data),
  } as EventEnvelope<TEvent>;
}

type DateFields<T> = { [K in keyof T]-?: NonNullable<T[K]> extends Date ? K : never }[keyof T];

/** The payload fields that are dates on the domain side; a round-trip test keeps it honest. */
const DATE_FIELDS: { readonly [T in EventType]: readonly DateFields<EventOfType<T>['data']>[] } = {
  TenantCreated: [],
  TenantRenamed: [],
  TenantPlanChanged: [],
  TenantDeactivated: [],
  TenantReactivated: [],
  TenantDeleted: [],
  UserRegistered: [],
  UserRoleChanged: [],
  UserDeactivated: [],
  UserReactivated: [],
  UserLoggedIn: ['at'],
  UserRemoved: [],
  UserErased: [],
  ApiKeyIssued: ['expiresAt'],
  ApiKeyRevoked: [],
  MonitorCreated: [],
  MonitorUpdated: [],
  MonitorPaused: [],
  MonitorResumed: [],
  MonitorDeleted: [],
  CheckRecorded: ['checkedAt'],
  MonitorStatusChanged: ['checkedAt'],
  MonitorMaintenanceStarted: ['checkedAt'],
  MonitorMaintenanceEnded: ['checkedAt'],
  MaintenanceScheduled: ['startsAt', 'endsAt'],
  MaintenanceCancelled: [],
};

/**
 * The envelope as read from a topic, its payload lifted to the current version of its type (a
 * new object; the argument is left as it was). Throws UnsupportedSchemaVersionError for a version
 * this code does not know.
 */
export function upcastEnvelope<TEvent extends DomainEvent>(envelope: EventEnvelope<TEvent>, context: UpcastContext): EventEnvelope<TEvent> {
  const { schemaVersion, payload } = EVENT_VERSIONING.upcast(envelope.type, envelope.schemaVersion, envelope.payload, context);
  if (payload === envelope.payload && schemaVersion === envelope.schemaVersion) return envelope;
  return { ...envelope, schemaVersion, payload };
}

/**
 * The domain event inside an envelope of any version, upcast and with dates revived: what evolve
 * needs when replaying a topic. Sealed personal data (UserRegistered `personal` as written by the
 * processor) is not opened here: it reads as null, which is all the write state needs.
 */
export function eventFromEnvelope<TEvent extends DomainEvent>(envelope: EventEnvelope<TEvent>, context: UpcastContext): TEvent {
  const data: Record<string, unknown> = { ...(upcastEnvelope(envelope, context).payload as Record<string, unknown>) };
  for (const field of DATE_FIELDS[envelope.type] as readonly string[]) {
    if (typeof data[field] === 'string') data[field] = new Date(data[field]);
  }
  if (envelope.type === 'UserRegistered') data.personal = openPersonalOrNull(data.personal);
  return { type: envelope.type, data } as unknown as TEvent;
}

/**
 * The topic an event goes to, as a role of the Kafka library's TopicNames: check results go to
 * `check-events` (30 days), everything else to `events`, the event store.
 */
export const eventTopicRole = (type: EventType): 'events' | 'checkEvents' => (type === 'CheckRecorded' ? 'checkEvents' : 'events');

/** asyncapi.yaml, EventEnvelope: Kafka headers repeat type, schemaVersion, eventId, correlationId, plus traceparent. */
export function eventHeaders(envelope: EventEnvelope, traceparent?: string): Record<string, string> {
  return {
    type: envelope.type,
    schemaVersion: String(envelope.schemaVersion),
    eventId: envelope.eventId,
    correlationId: envelope.correlationId,
    ...(traceparent !== undefined && { traceparent }),
  };
}
