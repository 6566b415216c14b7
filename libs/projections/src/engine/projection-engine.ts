import type { EventType } from '@vinsight/domain';
import type { PoolClient } from 'pg';
import { DecodedRecord, eventTypeOf } from '../events/decode-event';
import { ProjectionRejection } from '../events/projection-rejection';
import { SourceRecord } from '../events/source-record';
import { PersonalDataReader, ProjectedEvent, ReadModel, ReadModelContext } from './read-model';

/** A record the read models refused on their own terms, to be parked. */
export interface RejectedRecord {
  readonly decoded: DecodedRecord;
  readonly record: SourceRecord;
  readonly rejection: ProjectionRejection;
}

export interface ApplyOutcome {
  /** Events applied or found already applied, by type. */
  readonly applied: ReadonlyMap<string, number>;
  /** Of the applied, those that changed the read models (the others were found already applied), by type. */
  readonly changed: ReadonlyMap<string, number>;
  /** In record order. */
  readonly rejected: readonly RejectedRecord[];
  /** Tenants whose tenant row or API keys changed: credential caches must forget them. */
  readonly credentialTenants: readonly string[];
}

/**
 * Applies a slice of decoded records to the registered read models inside the caller's
 * transaction: each read model, in the registered order, gets the events of the types it handles
 * (in record order, minus those an earlier read model refused) and writes them set-based.
 * Throws only for database errors; whatever the read models refuse comes back as rejected.
 */
export class ProjectionEngine {
  /** Per event type, its read models in order; the first one alone may refuse an event. */
  private readonly handlers = new Map<string, ReadModel[]>();

  constructor(
    readonly readModels: readonly ReadModel[],
    private readonly personalData: PersonalDataReader,
  ) {
    const owners = new Map<string, string>();
    for (const model of readModels) {
      for (const table of model.tables) {
        const owner = owners.get(table);
        if (owner !== undefined) throw new Error(`table ${table} is written by both read models ${owner} and ${model.name}`);
        owners.set(table, model.name);
      }
      for (const type of model.canHandle) this.handlers.set(type, [...(this.handlers.get(type) ?? []), model]);
    }
  }

  /** `guarded`: see ReadModelContext.guarded. */
  async apply(client: PoolClient, records: readonly DecodedRecord[], guarded = true): Promise<ApplyOutcome> {
    const rejected = new Map<DecodedRecord, ProjectionRejection>();
    const superseded = new Set<ProjectedEvent>();
    const credentialTenants: string[] = [];
    const eventsOf = new Map<ReadModel, ProjectedEvent[]>(this.readModels.map((model) => [model, []]));
    for (const decoded of records) {
      if (!decoded.ok) {
        rejected.set(decoded, decoded.rejection);
        continue;
      }
      const models = this.handlers.get(eventTypeOf(decoded));
      if (models === undefined)
        rejected.set(decoded, new ProjectionRejection('UNSUPPORTED_EVENT', `no read model applies ${eventTypeOf(decoded)}`));
      else for (const model of models) eventsOf.get(model)!.push(decoded);
    }

    for (const model of this.readModels) {
      let events = eventsOf.get(model)!;
      if (rejected.size > 0) events = events.filter((e) => !rejected.has(e));
      if (events.length === 0) continue;
      const context: ReadModelContext = {
        client,
        guarded,
        personalData: this.personalData,
        reject: (event, rejection) => {
          const type = eventTypeOf(event);
          if (this.handlers.get(type)![0] !== model)
            throw new Error(`read model ${model.name} may not refuse ${type}: ${this.handlers.get(type)![0].name} applies it first`);
          rejected.set(event, rejection);
        },
        superseded: (event) => superseded.add(event),
        isSuperseded: (event) => superseded.has(event),
        credentialsChanged: (tenantIds) => credentialTenants.push(...tenantIds),
      };
      await model.handle(events, context);
    }

    const applied = new Map<string, number>();
    const changed = new Map<string, number>();
    const outcome: RejectedRecord[] = [];
    for (const decoded of records) {
      const rejection = rejected.size > 0 ? rejected.get(decoded) : undefined;
      if (rejection !== undefined) {
        outcome.push({ decoded, record: decoded.record, rejection });
        continue;
      }
      const event = decoded as ProjectedEvent;
      const type = eventTypeOf(event);
      applied.set(type, (applied.get(type) ?? 0) + 1);
      if (superseded.size === 0 || !superseded.has(event)) changed.set(type, (changed.get(type) ?? 0) + 1);
    }
    return { applied, changed, rejected: outcome, credentialTenants };
  }
}

/** The number of events of `type` in `counts`. */
export const countOf = (counts: ReadonlyMap<string, number>, type: EventType): number => counts.get(type) ?? 0;
