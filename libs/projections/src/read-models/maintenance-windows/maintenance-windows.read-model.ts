import { foldAggregates } from '../../engine/fold';
import { lifecycleEvents, ReadModel } from '../../engine/read-model';
import { evolveMaintenanceWindow, MAINTENANCE_WINDOW_EVENTS, maintenanceWindowKeyOf } from './maintenance-windows.evolve';
import { loadMaintenanceWindows, upsertMaintenanceWindows } from './maintenance-windows.sql';

/** `maintenance_windows`: one row per window, folded from MaintenanceScheduled and MaintenanceCancelled. */
export const maintenanceWindowsReadModel: ReadModel = {
  name: 'maintenance-windows',
  tables: ['maintenance_windows'],
  canHandle: MAINTENANCE_WINDOW_EVENTS,
  async handle(events, context) {
    const { changed } = await foldAggregates(
      lifecycleEvents(events),
      { keyOf: maintenanceWindowKeyOf, load: loadMaintenanceWindows, versionOf: (r) => r.version, evolve: evolveMaintenanceWindow },
      context,
    );
    await upsertMaintenanceWindows(context.client, changed);
  },
};
