-- Incidents read model, derived from MonitorStatusChanged: an incident opens when a monitor
-- leaves `up` for `down`/`error` and resolves when it is `up` again. Its id is chosen by the
-- projector (the id of the event that opened it), so replays produce the same rows.
CREATE TABLE incidents (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    monitor_id  uuid        NOT NULL,
    started_at  timestamptz NOT NULL,
    resolved_at timestamptz,
    first_error text,
    CONSTRAINT incidents_pkey PRIMARY KEY (tenant_id, id),
    -- Check results may arrive out of order; the projector clamps a resolution time that
    -- would precede the start rather than store a negative duration.
    CONSTRAINT incidents_resolved_after_started CHECK (resolved_at >= started_at),
    CONSTRAINT incidents_first_error_length CHECK (char_length(first_error) <= 2000)
);

-- At most one open incident per monitor; also serves the open-incident count of /v1/summary.
CREATE UNIQUE INDEX incidents_open_monitor_key ON incidents (tenant_id, monitor_id) WHERE resolved_at IS NULL;

-- GET /v1/monitors/:id/incidents and the incident count and downtime of /uptime, newest first.
CREATE INDEX incidents_tenant_monitor_started_idx ON incidents (tenant_id, monitor_id, started_at DESC, id DESC);

-- GET /v1/incidents across the tenant's monitors, newest first.
CREATE INDEX incidents_tenant_started_idx ON incidents (tenant_id, started_at DESC, id DESC);
