import type { EventType } from '@vinsight/domain';

/** An event payload as JSON carries it (asyncapi.yaml, one schema per type and version). */
export type JsonPayload = Readonly<Record<string, unknown>>;

/**
 * What an upcaster may need besides the payload: derived values a newer version carries that the
 * older one can only give as input (the keyed email hash of UserRegistered v2).
 */
export interface UpcastContext {
  /** The keyed hash of an email, as the command processor computes it (DecisionPorts.emailHashOf). */
  readonly emailHashOf: (email: string) => string;
}

/** Lifts a payload of one version to the next: pure, total on what that version allowed, never failing. */
export type Upcaster = (payload: JsonPayload, context: UpcastContext) => JsonPayload;

/**
 * For each event type, the upcaster from version v to v + 1, keyed by v. The current version of
 * a type is one more than its highest key (1 without upcasters). A payload change that old events
 * cannot satisfy as written adds the next version here and its schema to asyncapi.yaml; the
 * events in the log are never rewritten.
 */
export type UpcasterRegistry = { readonly [T in EventType]?: Readonly<Record<number, Upcaster>> };

/**
 * CheckRecorded 1 -> 2: version 1 left `region` out when the probe did not say where it ran;
 * version 2 always carries it, null then. A region version 1 did carry is kept as written.
 */
export const checkRecordedV1ToV2: Upcaster = (payload) => ({ ...payload, region: payload.region ?? null });

/**
 * UserRegistered 1 -> 2: version 1 carried the email and the bcrypt hash in the clear; version 2
 * carries the email's keyed hash (uniqueness is decided on it) and the two personal fields under
 * `personal`, which the processor seals. A version 1 event upcasts to an open `personal`: that
 * history stays readable until the log is migrated (README, Personal data).
 */
export const userRegisteredV1ToV2: Upcaster = ({ userId, email, passwordHash, role }, context) => ({
  userId,
  role: role ?? 'user',
  emailHash: typeof email === 'string' ? context.emailHashOf(email) : null,
  personal: { email, passwordHash },
});

export const EVENT_UPCASTERS: UpcasterRegistry = {
  CheckRecorded: { 1: checkRecordedV1ToV2 },
  UserRegistered: { 1: userRegisteredV1ToV2 },
};

/** An event of a version this code does not know: written by a newer version of the service. */
export class UnsupportedSchemaVersionError extends Error {
  constructor(
    readonly type: EventType,
    readonly schemaVersion: unknown,
    readonly currentVersion: number,
  ) {
    super(`${type} schemaVersion ${String(schemaVersion)} is not supported (this version reads 1..${currentVersion})`);
    this.name = 'UnsupportedSchemaVersionError';
  }
}

export interface EventVersioning {
  /** The version events of this type are written in. */
  currentVersion(type: EventType): number;
  /**
   * The payload lifted from `schemaVersion` (absent: 1) to the current version, and that
   * version. Throws UnsupportedSchemaVersionError for a version that is not an integer in
   * 1..current.
   */
  upcast(
    type: EventType,
    schemaVersion: unknown,
    payload: JsonPayload,
    context: UpcastContext,
  ): { schemaVersion: number; payload: JsonPayload };
}

export function eventVersioning(registry: UpcasterRegistry): EventVersioning {
  // Computed once per type: the projector asks for every check result it reads.
  const versions = new Map<EventType, number>();
  const currentVersion = (type: EventType): number => {
    let version = versions.get(type);
    if (version === undefined) {
      const steps = registry[type];
      version = steps === undefined ? 1 : Math.max(0, ...Object.keys(steps).map(Number)) + 1;
      versions.set(type, version);
    }
    return version;
  };
  return {
    currentVersion,
    upcast(type, schemaVersion, payload, context) {
      const current = currentVersion(type);
      const version = schemaVersion === undefined ? 1 : schemaVersion;
      if (!Number.isInteger(version) || (version as number) < 1 || (version as number) > current) {
        throw new UnsupportedSchemaVersionError(type, schemaVersion, current);
      }
      let lifted = payload;
      for (let v = version as number; v < current; v += 1) lifted = registry[type]![v](lifted, context);
      return { schemaVersion: current, payload: lifted };
    },
  };
}

/** The versioning of this service's events: what it writes and what it reads. */
export const EVENT_VERSIONING: EventVersioning = eventVersioning(EVENT_UPCASTERS);
