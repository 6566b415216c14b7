import { checkEvents, ReadModel } from '../../engine/read-model';
import { distinctChecks } from './check-row';
import { dailyFromHourly, rollupDeltas } from './check-rollups';
import { addToRollups, insertChecks } from './checks.sql';

/**
 * `monitor_checks` and its hourly and daily rollups (with their latency histograms). The rollups
 * add up only the rows that were actually inserted, so a check delivered again is never counted
 * twice; such checks are reported as superseded, which the monitors read model after this one
 * relies on for its last-check columns.
 */
export const checksReadModel: ReadModel = {
  name: 'checks',
  tables: ['monitor_checks', 'monitor_check_rollups_hourly', 'monitor_check_rollups_daily'],
  canHandle: ['CheckRecorded'],
  async handle(events, context) {
    const checks = checkEvents(events);
    const inserted = await insertChecks(context.client, distinctChecks(checks.map((e) => e.check)), context.guarded);
    if (inserted.length > 0) {
      const hourly = rollupDeltas(inserted, 'hour');
      await addToRollups(context.client, hourly, dailyFromHourly(hourly));
    }
    if (inserted.length === checks.length) return;
    const stored = new Set(inserted);
    for (const event of checks) if (!stored.has(event.check)) context.superseded(event);
  },
};
