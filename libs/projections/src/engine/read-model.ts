import type { EventType } from '@vinsight/domain';
import type { PersonalDataVault } from '@vinsight/personal-data';
import type { PoolClient } from 'pg';
import { DecodedCheck, DecodedEvent } from '../events/decode-event';
import { ProjectionRejection } from '../events/projection-rejection';

/**
 * An event as a read model receives it: a lifecycle event with its envelope, or a check result
 * already mapped to its monitor_checks row when its record was decoded (the only mapping on its way).
 */
export type ProjectedEvent = DecodedEvent | DecodedCheck;

/**
 * One read model, in the spirit of emmett's postgreSQLProjection: the event types it applies,
 * the tables it writes (no other read model writes them), and `handle`, which applies a batch's
 * events of those types set-based inside the batch's transaction, the one that also moves the
 * checkpoint. A read model's folder holds its event handling and all of its SQL.
 */
export interface ReadModel {
  readonly name: string;
  readonly tables: readonly string[];
  readonly canHandle: readonly EventType[];
  /** Applies `events` (batch order, only the types of canHandle) through `context.client`. */
  handle(events: readonly ProjectedEvent[], context: ReadModelContext): Promise<void>;
}

/** What the projector needs of the personal-data vault: the users' data keys, read in the batch's transaction, and opening. */
export type PersonalDataReader = Pick<PersonalDataVault, 'emailHashOf' | 'existingDataKeys' | 'open'>;

/** What a read model may do besides writing its tables. */
export interface ReadModelContext {
  readonly client: PoolClient;
  /**
   * Whether a statement expected to fail now and then (a duplicate key) must leave the
   * transaction usable, behind a savepoint. False on a batch's first attempt: if anything fails
   * there, the whole transaction is rolled back and the batch runs again guarded.
   */
  readonly guarded: boolean;
  /** Opens users' sealed personal fields (README, Personal data). */
  readonly personalData: PersonalDataReader;
  /**
   * Refuses an event on the read model's own terms: it is parked with the reason, and the read
   * models after this one never see it. Only the first read model to handle a type may refuse it
   * (a later one would leave the earlier one's rows of a parked event behind).
   */
  reject(event: ProjectedEvent, rejection: ProjectionRejection): void;
  /** An event this read model found already applied (a redelivery, a replay of an older version). */
  superseded(event: ProjectedEvent): void;
  /** Whether a read model before this one (in the registered order) found the event already applied. */
  isSuperseded(event: ProjectedEvent): boolean;
  /** Tenants whose credentials (tenant row, API keys) changed: the read API's caches forget them at commit. */
  credentialsChanged(tenantIds: readonly string[]): void;
}

/** The lifecycle events among `events` (a read model that also handles CheckRecorded splits them so). */
export const lifecycleEvents = (events: readonly ProjectedEvent[]): DecodedEvent[] =>
  events.filter((e): e is DecodedEvent => e.check === undefined);

/** The check results among `events`. */
export const checkEvents = (events: readonly ProjectedEvent[]): DecodedCheck[] =>
  events.filter((e): e is DecodedCheck => e.check !== undefined);
