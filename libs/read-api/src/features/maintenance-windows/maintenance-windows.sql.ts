/** A maintenance_windows row `w` as one JSON object, for statements that bring windows beside other rows (maintenanceWindowFromJson). */
export const MAINTENANCE_WINDOW_JSON_SQL = `json_build_object('id', w.id, 'monitorId', w.monitor_id, 'title', w.title,
  'startsAt', w.starts_at, 'endsAt', w.ends_at, 'recurrenceDays', w.recurrence_days, 'recurrenceStartTime', w.recurrence_start_time,
  'recurrenceDurationMinutes', w.recurrence_duration_minutes, 'recurrenceTimezone', w.recurrence_timezone,
  'cancelledAt', w.cancelled_at, 'version', w.version)`;

/**
 * The tenant's windows neither cancelled nor ended that have begun at `now`, as one JSON array
 * (null when none): an uncorrelated subquery, run once per statement (at most 100 such windows
 * per tenant, by the processor's limit). Whether one holds a monitor now (its recurrence, its
 * time zone) is computed by the domain. `tenant` and `now` are SQL expressions (placeholders).
 */
export const windowsInForceSql = (
  tenant: string,
  now: string,
) => `(SELECT json_agg(${MAINTENANCE_WINDOW_JSON_SQL}) FROM maintenance_windows w
  WHERE w.tenant_id = ${tenant} AND w.cancelled_at IS NULL AND w.starts_at <= ${now}
    AND (w.ends_at IS NULL OR w.ends_at > ${now}))`;
