import { Map as ImmutableMap } from 'immutable';
import type { ApiKey } from '../api-key/api-key.state';
import type { MaintenanceWindow, RetiredMaintenanceWindow } from '../maintenance/maintenance.state';
import { CheckIdWindow } from '../monitor/check-id-window';
import type { Monitor } from '../monitor/monitor.state';
import { CHECK_ID_WINDOW } from '../monitor/monitor.state';
import type { TenantState } from '../tenant/tenant.state';
import type { User } from '../user/user.state';
import type { TenantWriteState } from './tenant-write-state';

/**
 * Bumped whenever the snapshot's shape changes; an unknown version means "replay instead".
 * 2 added `maintenanceWindows`; 3 added `retiredMaintenanceWindows` and each monitor's
 * `maintenanceWindowId`; 4 keeps each user's keyed email hash instead of the email. Only 4 is
 * read: the older ones hold users' emails in the clear, which erasure could not reach (migration
 * 000029 deletes them, and a processor that still meets one replays the log instead).
 */
export const TENANT_SNAPSHOT_SCHEMA_VERSION = 4;
const READABLE_SCHEMA_VERSIONS: readonly number[] = [TENANT_SNAPSHOT_SCHEMA_VERSION];

type Jsonified<T> = {
  readonly [K in keyof T]: T[K] extends Date
    ? string
    : T[K] extends Date | null
      ? string | null
      : T[K] extends CheckIdWindow
        ? readonly string[]
        : T[K];
};

/**
 * The write state as plain JSON (maps as arrays, dates as ISO strings), for the processor to
 * store beside the event offset it reflects, so that a rebuild replays only the events after it.
 */
export interface TenantWriteSnapshot {
  /** Written and read as TENANT_SNAPSHOT_SCHEMA_VERSION only. */
  readonly schemaVersion: number;
  readonly tenant: TenantState;
  readonly users: readonly User[];
  readonly apiKeys: readonly Jsonified<ApiKey>[];
  /** `maintenanceWindowId` is absent before version 3. */
  readonly monitors: readonly SnapshotMonitor[];
  /** Absent in version 1; version 2 also holds cancelled and ended windows whole. */
  readonly maintenanceWindows?: readonly Jsonified<MaintenanceWindow>[];
  /** Absent before version 3. */
  readonly retiredMaintenanceWindows?: readonly RetiredMaintenanceWindow[];
}

type SnapshotMonitor = Omit<Jsonified<Monitor>, 'maintenanceWindowId'> & { readonly maintenanceWindowId?: string | null };

export class UnsupportedSnapshotError extends Error {
  constructor(readonly schemaVersion: unknown) {
    super(`unsupported tenant snapshot schema version ${String(schemaVersion)}`);
    this.name = 'UnsupportedSnapshotError';
  }
}

export function toSnapshot(state: TenantWriteState): TenantWriteSnapshot {
  return {
    schemaVersion: TENANT_SNAPSHOT_SCHEMA_VERSION,
    tenant: { ...state.tenant },
    users: [...state.users.values()].map((user) => ({ ...user })),
    apiKeys: [...state.apiKeys.values()].map((key) => ({ ...key, expiresAt: isoOrNull(key.expiresAt) })),
    monitors: [...state.monitors.values()].map((monitor) => ({
      ...monitor,
      lastCheckedAt: isoOrNull(monitor.lastCheckedAt),
      recentCheckIds: monitor.recentCheckIds.toArray(),
    })),
    maintenanceWindows: [...state.maintenanceWindows.values()].map((window) => ({
      ...window,
      startsAt: window.startsAt.toISOString(),
      endsAt: isoOrNull(window.endsAt),
    })),
    retiredMaintenanceWindows: [...state.retiredMaintenanceWindows.values()].map((window) => ({ ...window })),
  };
}

/**
 * Accepts the parsed JSON of `toSnapshot`. Throws UnsupportedSnapshotError for another schema
 * version: the caller then rebuilds from the events instead.
 */
export function fromSnapshot(snapshot: TenantWriteSnapshot): TenantWriteState {
  if (!READABLE_SCHEMA_VERSIONS.includes(snapshot.schemaVersion)) {
    throw new UnsupportedSnapshotError(snapshot.schemaVersion);
  }
  return {
    tenant: { ...snapshot.tenant },
    users: ImmutableMap(snapshot.users.map((user): [string, User] => [user.id, { ...user }])),
    apiKeys: ImmutableMap(snapshot.apiKeys.map((key): [string, ApiKey] => [key.id, { ...key, expiresAt: dateOrNull(key.expiresAt) }])),
    monitors: ImmutableMap(
      snapshot.monitors.map((monitor): [string, Monitor] => [
        monitor.id,
        {
          ...monitor,
          lastCheckedAt: dateOrNull(monitor.lastCheckedAt),
          // The window may have shrunk since the snapshot was taken.
          recentCheckIds: CheckIdWindow.of(CHECK_ID_WINDOW, monitor.recentCheckIds),
          maintenanceWindowId: monitor.maintenanceWindowId ?? null,
        },
      ]),
    ),
    ...maintenanceWindowsOf(snapshot),
  };
}

/** Version 2 kept cancelled windows whole: they are retired as the events would have retired them. */
function maintenanceWindowsOf(snapshot: TenantWriteSnapshot): Pick<TenantWriteState, 'maintenanceWindows' | 'retiredMaintenanceWindows'> {
  const windows = new Map<string, MaintenanceWindow>();
  const retired = new Map<string, RetiredMaintenanceWindow>(
    (snapshot.retiredMaintenanceWindows ?? []).map((window) => [window.id, { ...window }]),
  );
  for (const window of snapshot.maintenanceWindows ?? []) {
    if (window.lifecycle === 'cancelled') retired.set(window.id, { lifecycle: 'cancelled', id: window.id, version: window.version });
    else windows.set(window.id, { ...window, startsAt: new Date(window.startsAt), endsAt: dateOrNull(window.endsAt) });
  }
  return { maintenanceWindows: ImmutableMap(windows), retiredMaintenanceWindows: ImmutableMap(retired) };
}

const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());
const dateOrNull = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));
