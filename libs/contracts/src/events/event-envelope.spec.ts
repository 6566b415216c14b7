import { randomUUID } from 'node:crypto';
import type { DecidedEvent, DomainCommand, DomainEvent, TenantWriteState } from '@vinsight/domain';
import { EVENT_TYPES, decide, evolveTenantWriteState, initialTenantWriteState } from '@vinsight/domain';
import { parseCommandMessage } from '../commands/parse-command-message';
import { BCRYPT_HASH, NOW } from '../testing/command-messages';
import type { EventEnvelope } from './event-envelope';
import { eventFromEnvelope, eventHeaders, eventTopicRole, toEventEnvelope, upcastEnvelope } from './event-envelope';
import { EVENT_VERSIONING, UnsupportedSchemaVersionError } from './event-upcasters';
import { TEST_DECISION_PORTS as ports } from '../../../domain/src/testing/domain-factories';

const tenantId = randomUUID();

function command(type: string, payload: Record<string, unknown>): DomainCommand {
  const value = Buffer.from(JSON.stringify({ commandId: randomUUID(), type, tenantId, payload }));
  const parsed = parseCommandMessage({ key: tenantId, value, now: NOW });
  if (parsed.kind !== 'command') throw new Error(`${type}: ${JSON.stringify(parsed)}`);
  return parsed.command;
}

/** A history that produces every event type, from JSON commands, as the processor would. */
function everyEventType(): { decided: DecidedEvent[]; commands: DomainCommand[]; state: TenantWriteState } {
  const userId = randomUUID();
  const apiKeyId = randomUUID();
  const monitorId = randomUUID();
  const windowId = randomUUID();
  const commands = [
    command('CreateTenant', { name: 'Acme', slug: 'acme' }),
    command('RenameTenant', { name: 'Acme Inc' }),
    command('ChangeTenantPlan', { plan: 'pro' }),
    command('DeactivateTenant', { reason: 'audit' }),
    command('ReactivateTenant', {}),
    command('RegisterUser', { userId, email: 'ada@example.com', passwordHash: BCRYPT_HASH }),
    command('ChangeUserRole', { userId, role: 'owner' }),
    command('DeactivateUser', { userId }),
    command('ReactivateUser', { userId }),
    command('RecordUserLogin', { userId, at: '2025-01-15T11:00:00Z' }),
    command('IssueApiKey', { apiKeyId, name: 'ci', tokenSha256: 'f'.repeat(64), expiresAt: '2025-06-01T00:00:00Z' }),
    command('RevokeApiKey', { apiKeyId }),
    command('CreateMonitor', { monitorId, name: 'Home', url: 'https://example.com/' }),
    command('UpdateMonitor', { monitorId, checkInterval: 60 }),
    command('PauseMonitor', { monitorId }),
    command('ResumeMonitor', { monitorId }),
    command('RecordCheckResult', { monitorId, checkId: randomUUID(), status: 'up', checkedAt: '2025-01-15T11:59:00Z' }),
    command('ScheduleMaintenance', {
      maintenanceWindowId: windowId,
      monitorId,
      title: 'Upgrade',
      startsAt: '2025-01-15T11:59:30Z',
      endsAt: '2025-01-15T13:00:00Z',
    }),
    command('RecordCheckResult', { monitorId, checkId: randomUUID(), status: 'down', checkedAt: '2025-01-15T11:59:40Z' }),
    command('ScheduleMaintenance', {
      maintenanceWindowId: randomUUID(),
      startsAt: '2025-01-15T12:00:00Z',
      recurrence: { daysOfWeek: ['sat'], startTime: '22:00', durationMinutes: 240, timezone: 'America/Chicago' },
    }),
    command('CancelMaintenance', { maintenanceWindowId: windowId }),
    command('RecordCheckResult', { monitorId, checkId: randomUUID(), status: 'up', checkedAt: '2025-01-15T11:59:50Z' }),
    command('DeleteMonitor', { monitorId }),
    command('RemoveUser', { userId }),
    command('EraseUser', { userId }),
    command('DeleteTenant', {}),
  ];
  let state = initialTenantWriteState();
  const decided: DecidedEvent[] = [];
  for (const next of commands) {
    const decision = decide(next, state, ports);
    if (!decision.ok) throw new Error(`${next.type}: ${decision.error.message}`);
    for (const event of decision.events) {
      decided.push(event);
      state = evolveTenantWriteState(state, event);
    }
  }
  return { decided, commands, state };
}

const envelopeOf = (decided: DecidedEvent): EventEnvelope =>
  toEventEnvelope(decided, {
    eventId: randomUUID(),
    occurredAt: NOW,
    tenantId,
    commandId: randomUUID(),
    correlationId: randomUUID(),
  });

describe('event envelopes', () => {
  it('builds the asyncapi.yaml, EventEnvelope envelope from a decided event', () => {
    const monitorId = randomUUID();
    const decided: DecidedEvent = {
      type: 'MonitorStatusChanged',
      data: { monitorId, from: 'up', to: 'down', checkId: 'c1', checkedAt: NOW },
      aggregateType: 'monitor',
      aggregateId: monitorId,
      version: 7,
    };
    const meta = { eventId: randomUUID(), occurredAt: NOW, tenantId, commandId: randomUUID(), correlationId: randomUUID() };
    expect(toEventEnvelope(decided, { ...meta, issuedBy: 'checker' })).toEqual({
      eventId: meta.eventId,
      type: 'MonitorStatusChanged',
      schemaVersion: 1,
      tenantId,
      aggregateType: 'monitor',
      aggregateId: monitorId,
      version: 7,
      occurredAt: '2025-01-15T12:00:00.000Z',
      commandId: meta.commandId,
      correlationId: meta.correlationId,
      issuedBy: 'checker',
      payload: { monitorId, from: 'up', to: 'down', checkId: 'c1', checkedAt: '2025-01-15T12:00:00.000Z' },
    });
    expect(toEventEnvelope(decided, meta)).not.toHaveProperty('issuedBy');
  });

  it('covers every event type from JSON commands, and replays them from JSON to the same state', () => {
    const { decided, state } = everyEventType();
    expect(new Set(decided.map((event) => event.type))).toEqual(new Set(EVENT_TYPES));

    const wire = decided.map((event) => JSON.parse(JSON.stringify(envelopeOf(event))) as EventEnvelope);
    const replayed = wire.map((e) => eventFromEnvelope(e, ports)).reduce(evolveTenantWriteState, initialTenantWriteState());
    expect(replayed).toEqual(state);
  });

  it('revives every date of every event type', () => {
    const { decided } = everyEventType();
    for (const event of decided) {
      const wire = JSON.parse(JSON.stringify(envelopeOf(event))) as EventEnvelope;
      const original: DomainEvent = { type: event.type, data: event.data } as DomainEvent;
      expect(eventFromEnvelope(wire, ports)).toEqual(original);
    }
  });

  it('numbers versions per aggregate; CheckRecorded repeats the monitor version', () => {
    const { decided } = everyEventType();
    const monitorEvents = decided.filter((event) => event.aggregateType === 'monitor');
    expect(monitorEvents.map((event) => [event.type, event.version])).toEqual([
      ['MonitorCreated', 1],
      ['MonitorUpdated', 2],
      ['MonitorPaused', 3],
      ['MonitorResumed', 4],
      ['CheckRecorded', 4],
      ['MonitorStatusChanged', 5],
      ['CheckRecorded', 5],
      ['MonitorMaintenanceStarted', 6],
      ['CheckRecorded', 6],
      ['MonitorMaintenanceEnded', 7],
      ['MonitorDeleted', 8],
    ]);
    const windowEvents = decided.filter((event) => event.aggregateType === 'maintenance-window');
    expect(windowEvents.map((event) => [event.type, event.version])).toEqual([
      ['MaintenanceScheduled', 1],
      ['MaintenanceScheduled', 1],
      ['MaintenanceCancelled', 2],
    ]);
    expect(decided.find((event) => event.type === 'CheckRecorded' && event.data.status === 'down')?.data).toMatchObject({
      inMaintenance: true,
    });
    const tenantEvents = decided.filter((event) => event.aggregateType === 'tenant');
    expect(tenantEvents.map((event) => event.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tenantEvents.every((event) => event.aggregateId === tenantId)).toBe(true);
  });

  it('writes every event in the current version of its type', () => {
    const { decided } = everyEventType();
    for (const event of decided) expect(envelopeOf(event).schemaVersion).toBe(EVENT_VERSIONING.currentVersion(event.type));
  });

  it('reads an envelope without schemaVersion as version 1, and refuses one newer than this code', () => {
    const { decided } = everyEventType();
    const created = JSON.parse(JSON.stringify(envelopeOf(decided[0]))) as EventEnvelope;
    const { schemaVersion: _absent, ...unversioned } = created;
    expect(eventFromEnvelope(unversioned as EventEnvelope, ports)).toEqual({ type: decided[0].type, data: decided[0].data });
    const newer = { ...created, schemaVersion: EVENT_VERSIONING.currentVersion('TenantCreated') + 1 };
    expect(() => upcastEnvelope(newer, ports)).toThrow(UnsupportedSchemaVersionError);
    expect(() => eventFromEnvelope(newer, ports)).toThrow(/TenantCreated schemaVersion 2 is not supported/);
  });

  it('routes check results to check-events and everything else to the event store', () => {
    expect(eventTopicRole('CheckRecorded')).toBe('checkEvents');
    expect(EVENT_TYPES.filter((type) => eventTopicRole(type) === 'checkEvents')).toEqual(['CheckRecorded']);
  });

  it('repeats type, schemaVersion, eventId and correlationId in the headers, with traceparent when given', () => {
    const envelope = envelopeOf(everyEventType().decided[0]);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(eventHeaders(envelope, traceparent)).toEqual({
      type: 'TenantCreated',
      schemaVersion: '1',
      eventId: envelope.eventId,
      correlationId: envelope.correlationId,
      traceparent,
    });
    expect(eventHeaders(envelope)).not.toHaveProperty('traceparent');
  });
});
