import { foldAggregates } from '../../engine/fold';
import { checkEvents, lifecycleEvents, ReadModel } from '../../engine/read-model';
import { lastChecksByMonitor } from './last-check';
import { upsertIncidents } from './incidents.sql';
import { evolveMonitor, MONITOR_EVENTS, monitorKeyOf, monitorVersionOf } from './monitors.evolve';
import { loadMonitors, updateLastChecks, upsertMonitors } from './monitors.sql';

/**
 * `monitors` and `incidents`, the one writer of both tables:
 * - the monitor's definition and status are folded from its lifecycle events;
 * - incidents are derived from its status changes under the monitor's version guard (a second
 *   read model for them would need a version guard of its own, which the table does not have);
 * - the last-check columns follow CheckRecorded: the greatest of the checks monitor_checks holds.
 *   The checks read model runs first (READ_MODELS) and reports the checks it found already stored
 *   as superseded; only the ones it stored now can move a monitor's last check, so the columns
 *   always show a row of monitor_checks. A maximum does not depend on which topic's batch came first.
 * Every statement touches only the batch partition's tenants and the engine holds that partition's
 * advisory lock, so no lock order has to be agreed with another writer.
 */
export const monitorsReadModel: ReadModel = {
  name: 'monitors',
  tables: ['monitors', 'incidents'],
  canHandle: [...MONITOR_EVENTS, 'CheckRecorded'],
  async handle(events, context) {
    const lifecycle = lifecycleEvents(events);
    if (lifecycle.length > 0) {
      const { changed, loaded } = await foldAggregates(
        lifecycle,
        { keyOf: monitorKeyOf, load: loadMonitors, versionOf: monitorVersionOf, evolve: evolveMonitor },
        context,
      );
      await upsertMonitors(
        context.client,
        changed.flatMap((state) => (state.monitor ? [state.monitor] : [])),
        loaded,
      );
      await upsertIncidents(
        context.client,
        changed.flatMap((state) => [...state.incidents.values()]),
      );
    }
    const stored = checkEvents(events).filter((e) => !context.isSuperseded(e));
    if (stored.length > 0) await updateLastChecks(context.client, lastChecksByMonitor(stored.map((e) => e.check)));
  },
};
