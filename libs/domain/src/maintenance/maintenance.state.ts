import type { WeeklyRecurrence } from './maintenance.commands';
import type { MaintenanceEvent } from './maintenance.events';

export interface MaintenanceWindow {
  readonly lifecycle: 'scheduled' | 'cancelled';
  readonly id: string;
  /** null: every monitor of the tenant. */
  readonly monitorId: string | null;
  readonly title: string | null;
  readonly startsAt: Date;
  /** null only for a recurrence that repeats until cancelled. */
  readonly endsAt: Date | null;
  readonly recurrence: WeeklyRecurrence | null;
  readonly version: number;
}

export interface NoMaintenanceWindow {
  readonly lifecycle: 'absent';
  readonly version: 0;
}

/**
 * What the write state keeps of a window that can no longer cover a check: its id stays taken
 * (the read model and the audit trail know it) and its version goes on, the rest is dropped.
 */
export interface RetiredMaintenanceWindow {
  readonly lifecycle: 'cancelled' | 'ended';
  readonly id: string;
  readonly version: number;
}

export type MaintenanceWindowState = NoMaintenanceWindow | MaintenanceWindow | RetiredMaintenanceWindow;

export const initialMaintenanceWindowState = (): MaintenanceWindowState => ({ lifecycle: 'absent', version: 0 });

export function evolveMaintenanceWindow(state: MaintenanceWindowState, event: MaintenanceEvent): MaintenanceWindowState {
  switch (event.type) {
    case 'MaintenanceScheduled': {
      const { maintenanceWindowId, monitorId, title, startsAt, endsAt, recurrence } = event.data;
      return {
        lifecycle: 'scheduled',
        id: maintenanceWindowId,
        monitorId: monitorId ?? null,
        title: title ?? null,
        startsAt,
        endsAt: endsAt ?? null,
        recurrence: recurrence ?? null,
        version: state.version + 1,
      };
    }
    case 'MaintenanceCancelled':
      if (state.lifecycle !== 'scheduled') return state;
      return { ...state, lifecycle: 'cancelled', version: state.version + 1 };
  }
}
