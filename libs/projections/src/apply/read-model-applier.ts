import type { EventEnvelope } from '@vinsight/contracts';
import type { PoolClient } from 'pg';
import { DecodedEvent, DecodedRecord } from '../events/decode-event';
import { ProjectionRejection } from '../events/projection-rejection';
import { SourceRecord } from '../events/source-record';
import { apiKeyKeyOf, API_KEY_EVENTS, evolveApiKey } from '../read-models/api-keys.projection';
import { auditRowOf } from '../read-models/audit-events.projection';
import { CheckRow, checkRowOf, distinctChecks } from '../read-models/checks.mapping';
import { ChecksWriter } from '../read-models/checks.writer';
import { BatchEvent, foldEvents } from '../read-models/fold';
import { LifecycleWriter, TenantScopedKey } from '../read-models/lifecycle.writer';
import { evolveMonitor, monitorKeyOf, MONITOR_EVENTS, monitorVersionOf } from '../read-models/monitors.projection';
import { evolveTenant, tenantKeyOf, TENANT_EVENTS } from '../read-models/tenants.projection';
import { evolveUser, userKeyOf, USER_EVENTS } from '../read-models/users.projection';

/** A record the read models refused on their own terms, to be parked. */
export interface RejectedRecord {
  readonly record: SourceRecord;
  readonly rejection: ProjectionRejection;
  readonly envelope?: EventEnvelope;
}

export interface ApplyOutcome {
  /** Events applied or found already applied. */
  readonly applied: number;
  readonly rejected: RejectedRecord[];
  readonly checksInserted: number;
  /** Tenants whose tenant row or API keys changed: credential caches must forget them. */
  readonly credentialTenants: string[];
}

type Category = 'tenant' | 'user' | 'apiKey' | 'monitor';

/**
 * Applies a slice of decoded records to every read model inside the caller's transaction,
 * set-based: the lifecycle events are folded in memory over the current rows (one read per table)
 * and written back with one upsert per table; check results go in with COPY. Throws only for
 * database errors; whatever the read models refuse themselves comes back as rejected.
 */
export class ReadModelApplier {
  constructor(
    private readonly lifecycle = new LifecycleWriter(),
    private readonly checks = new ChecksWriter(),
  ) {}

  async apply(client: PoolClient, records: readonly DecodedRecord[]): Promise<ApplyOutcome> {
    const rejected: RejectedRecord[] = [];
    const byCategory: Record<Category, BatchEvent[]> = { tenant: [], user: [], apiKey: [], monitor: [] };
    const checkRows: CheckRow[] = [];
    records.forEach((decoded, index) => {
      if (!decoded.ok) {
        rejected.push({ record: decoded.record, rejection: decoded.rejection });
        return;
      }
      if (decoded.check) {
        checkRows.push(decoded.check);
        return;
      }
      const { envelope } = decoded;
      try {
        if (envelope.type === 'CheckRecorded') checkRows.push(checkRowOf(envelope));
        else {
          const [category, key] = categorise(envelope);
          byCategory[category].push({ index, envelope, key });
        }
      } catch (error) {
        if (!(error instanceof ProjectionRejection)) throw error;
        rejected.push({ record: decoded.record, rejection: error, envelope });
      }
    });

    const lifecycle = await this.applyLifecycle(client, byCategory, (index, rejection) => {
      const decoded = records[index] as DecodedEvent;
      rejected.push({ record: decoded.record, rejection, envelope: decoded.envelope });
    });
    const { inserted } = await this.checks.write(client, distinctChecks(checkRows));
    return { applied: lifecycle.applied + checkRows.length, rejected, checksInserted: inserted, credentialTenants: lifecycle.credentialTenants };
  }

  private async applyLifecycle(
    client: PoolClient,
    events: Record<Category, BatchEvent[]>,
    onRejected: (index: number, rejection: ProjectionRejection) => void,
  ): Promise<{ applied: number; credentialTenants: string[] }> {
    const total = events.tenant.length + events.user.length + events.apiKey.length + events.monitor.length;
    if (total === 0) return { applied: 0, credentialTenants: [] };
    const keysOf = (list: BatchEvent[]): TenantScopedKey[] => {
      const unique = new Map(list.map((e) => [e.key, { tenantId: e.envelope.tenantId, id: e.envelope.aggregateId }]));
      return [...unique.values()];
    };

    const tenants = foldEvents(events.tenant, await this.lifecycle.loadTenants(client, [...new Set(events.tenant.map((e) => e.key))]), (r) => r.version, evolveTenant);
    const currentUsers = await this.lifecycle.loadUsers(client, keysOf(events.user));
    const users = foldEvents(events.user, currentUsers, (r) => r.version, evolveUser);
    const apiKeys = foldEvents(events.apiKey, await this.lifecycle.loadApiKeys(client, keysOf(events.apiKey)), (r) => r.version, evolveApiKey);
    const currentMonitors = await this.lifecycle.loadMonitors(client, keysOf(events.monitor));
    const monitors = foldEvents(events.monitor, currentMonitors, monitorVersionOf, evolveMonitor);

    for (const result of [tenants, users, apiKeys, monitors]) for (const { index, rejection } of result.rejected) onRejected(index, rejection);

    await this.lifecycle.upsertTenants(client, [...tenants.changed.values()]);
    await this.lifecycle.upsertUsers(client, [...users.changed.values()], new Set(currentUsers.keys()));
    await this.lifecycle.upsertApiKeys(client, [...apiKeys.changed.values()]);
    const changedMonitors = [...monitors.changed.values()];
    await this.lifecycle.upsertMonitors(
      client,
      changedMonitors.flatMap((state) => (state.monitor ? [state.monitor] : [])),
      new Set(currentMonitors.keys()),
    );
    await this.lifecycle.upsertIncidents(client, changedMonitors.flatMap((state) => [...state.incidents.values()]));

    const accepted = [...tenants.accepted, ...users.accepted, ...apiKeys.accepted, ...monitors.accepted].sort((a, b) => a.index - b.index);
    await this.lifecycle.insertAuditEvents(client, accepted.map((e) => auditRowOf(e.envelope)));
    const credentialTenants = [...tenants.changed.values()].map((row) => row.id).concat([...apiKeys.changed.values()].map((row) => row.tenantId));
    return { applied: accepted.length, credentialTenants };
  }
}

function categorise(envelope: EventEnvelope): [Category, string] {
  if (TENANT_EVENTS.has(envelope.type)) return ['tenant', tenantKeyOf(envelope)];
  if (USER_EVENTS.has(envelope.type)) return ['user', userKeyOf(envelope)];
  if (API_KEY_EVENTS.has(envelope.type)) return ['apiKey', apiKeyKeyOf(envelope)];
  if (MONITOR_EVENTS.has(envelope.type)) return ['monitor', monitorKeyOf(envelope)];
  throw new ProjectionRejection('UNSUPPORTED_EVENT', `no read model applies ${envelope.type}`);
}

/** The UTC days (YYYY-MM-DD) of the check results among the records: the partitions they need. */
export function checkDaysOf(records: readonly DecodedRecord[]): string[] {
  const days = new Set<number>();
  for (const decoded of records) if (decoded.ok && decoded.check) days.add(Math.floor(decoded.check.checkedAtMs / 86_400_000));
  return [...days].sort((a, b) => a - b).map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
}
