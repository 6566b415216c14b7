/**
 * What GET /v1/stream sends (openapi.yaml, "Live stream"): the event types a client may ask for,
 * and how each is derived from one record of `events` or `check-events`. Pure: the hub decodes a
 * record once and fans the result out to every connection that wants it.
 */
export const STREAM_EVENT_TYPES = [
  'monitor.status_changed',
  'incident.opened',
  'incident.resolved',
  'maintenance.started',
  'maintenance.ended',
  'check.recorded',
] as const;
export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

/** Sent unless `?types=` says otherwise: check results are many, so they are opt-in. */
export const DEFAULT_STREAM_EVENT_TYPES: readonly StreamEventType[] = STREAM_EVENT_TYPES.filter((type) => type !== 'check.recorded');

/** The record types that can become a stream event; others are skipped from their `type` header, unparsed. */
export const STREAMED_RECORD_TYPES: ReadonlySet<string> = new Set([
  'MonitorStatusChanged',
  'CheckRecorded',
  'MonitorMaintenanceStarted',
  'MonitorMaintenanceEnded',
  'MonitorDeleted',
]);

export interface StreamEvent {
  type: StreamEventType;
  tenantId: string;
  monitorId: string;
  /** The `data:` line's JSON object. */
  data: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The stream events one record brings: a status change is `monitor.status_changed`, and opens an
 * incident when the monitor turns `down` (its id is the event's id, as in the incidents read
 * model) or resolves the open one when it turns `up` again from `down`. A record that is not a
 * well-formed envelope brings none: the projector parks it, so the read models never show it.
 */
export function streamEventsOf(record: unknown): StreamEvent[] {
  if (typeof record !== 'object' || record === null) return [];
  const envelope = record as Json;
  const tenantId = text(envelope.tenantId);
  const payload = envelope.payload as Json | undefined;
  if (!tenantId || typeof payload !== 'object' || payload === null) return [];
  const monitorId = text(payload.monitorId);
  if (!monitorId) return [];
  if (envelope.type === 'CheckRecorded') {
    return [
      {
        type: 'check.recorded',
        tenantId,
        monitorId,
        data: compact({
          monitorId,
          checkId: payload.checkId,
          status: payload.status,
          responseTimeMs: payload.responseTimeMs,
          statusCode: payload.statusCode,
          errorMessage: payload.errorMessage,
          region: payload.region,
          checkedAt: payload.checkedAt,
        }),
      },
    ];
  }
  if (envelope.type === 'MonitorDeleted') {
    // The incidents read model ends a deleted monitor's open incident at the deletion; a monitor
    // has one open exactly while it is down.
    const resolvedAt = text(envelope.occurredAt);
    if (payload.lastStatus !== 'down' || !resolvedAt) return [];
    return [{ type: 'incident.resolved', tenantId, monitorId, data: { monitorId, resolvedAt } }];
  }
  if (envelope.type === 'MonitorMaintenanceStarted' || envelope.type === 'MonitorMaintenanceEnded') {
    const started = envelope.type === 'MonitorMaintenanceStarted';
    return [
      {
        type: started ? 'maintenance.started' : 'maintenance.ended',
        tenantId,
        monitorId,
        data: compact({
          monitorId,
          maintenanceWindowId: payload.maintenanceWindowId,
          checkId: payload.checkId,
          [started ? 'startedAt' : 'endedAt']: payload.checkedAt,
        }),
      },
    ];
  }
  if (envelope.type !== 'MonitorStatusChanged') return [];
  const from = text(payload.from);
  const to = text(payload.to);
  const at = text(payload.checkedAt);
  const changed: StreamEvent = {
    type: 'monitor.status_changed',
    tenantId,
    monitorId,
    data: compact({ monitorId, from, to, checkId: payload.checkId, changedAt: at, errorMessage: payload.errorMessage }),
  };
  if (to === 'down') {
    const opened = { incidentId: envelope.eventId, monitorId, startedAt: at, firstError: text(payload.errorMessage) ?? null };
    return [changed, { type: 'incident.opened', tenantId, monitorId, data: opened }];
  }
  if (to === 'up' && from === 'down')
    return [changed, { type: 'incident.resolved', tenantId, monitorId, data: { monitorId, resolvedAt: at } }];
  return [changed];
}

function compact(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** `?types=` as given (comma-separated, or repeated); null when a name is not a stream event type. */
export function parseStreamTypes(raw: string | string[] | undefined): Set<StreamEventType> | null {
  if (raw === undefined) return new Set(DEFAULT_STREAM_EVENT_TYPES);
  const names = (Array.isArray(raw) ? raw : [raw]).flatMap((value) => value.split(',')).map((name) => name.trim());
  if (names.length === 0 || names.some((name) => !(STREAM_EVENT_TYPES as readonly string[]).includes(name))) return null;
  return new Set(names as StreamEventType[]);
}
