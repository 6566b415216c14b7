-- Maintenance windows read model: one row per window, from MaintenanceScheduled and
-- MaintenanceCancelled. A window covers one monitor, or every monitor of the tenant when
-- monitor_id is NULL; without recurrence it is [starts_at, ends_at); with a weekly recurrence it is
-- the occurrences (days, local start time, duration, IANA time zone) clipped to that range, ends_at
-- NULL meaning "until cancelled". cancelled_at ends it early: checks after it are not in maintenance.
CREATE TABLE maintenance_windows (
    tenant_id                   uuid        NOT NULL,
    id                          uuid        NOT NULL,
    monitor_id                  uuid,
    title                       text,
    starts_at                   timestamptz NOT NULL,
    ends_at                     timestamptz,
    recurrence_days             text[],
    recurrence_start_time       text,
    recurrence_duration_minutes integer,
    recurrence_timezone         text,
    cancelled_at                timestamptz,
    version                     integer     NOT NULL,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    CONSTRAINT maintenance_windows_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT maintenance_windows_title_length CHECK (title IS NULL OR char_length(title) BETWEEN 1 AND 255),
    CONSTRAINT maintenance_windows_range_valid CHECK (ends_at IS NULL OR ends_at > starts_at),
    CONSTRAINT maintenance_windows_recurrence_complete CHECK (
        (recurrence_days IS NULL AND recurrence_start_time IS NULL AND recurrence_duration_minutes IS NULL
            AND recurrence_timezone IS NULL AND ends_at IS NOT NULL)
        OR (cardinality(recurrence_days) BETWEEN 1 AND 7
            AND recurrence_days <@ ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
            AND recurrence_start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
            AND recurrence_duration_minutes BETWEEN 1 AND 10080
            AND char_length(recurrence_timezone) BETWEEN 1 AND 64)
    ),
    CONSTRAINT maintenance_windows_version_positive CHECK (version >= 1)
);

-- The list (newest start first) and the per-monitor lookups of uptime.
CREATE INDEX maintenance_windows_starts_at_idx ON maintenance_windows (tenant_id, starts_at DESC, id DESC);
CREATE INDEX maintenance_windows_monitor_idx ON maintenance_windows (tenant_id, monitor_id, starts_at);

ALTER TABLE maintenance_windows ENABLE ROW LEVEL SECURITY;
ALTER TABLE maintenance_windows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON maintenance_windows FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

GRANT SELECT ON maintenance_windows TO vinsight_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance_windows TO vinsight_projector;

-- A rebuild replaces this read model too.
CREATE OR REPLACE FUNCTION projector.rebuilt_tables()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['tenants', 'users', 'api_keys', 'monitors', 'monitor_checks', 'monitor_check_rollups_hourly',
             'monitor_check_rollups_daily', 'incidents', 'audit_events', 'maintenance_windows'];
