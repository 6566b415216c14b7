-- Monitors read model: definition from Monitor* events, latest check state from check-events.
CREATE TABLE monitors (
    tenant_id             uuid        NOT NULL,
    id                    uuid        NOT NULL,
    name                  text        NOT NULL,
    url                   text        NOT NULL,
    check_interval        integer     NOT NULL DEFAULT 300,
    -- false while paused; the summary reports paused monitors from it
    is_active             boolean     NOT NULL DEFAULT true,
    status                text        NOT NULL DEFAULT 'unknown',
    status_changed_at     timestamptz,
    last_checked_at       timestamptz,
    last_response_time_ms integer,
    last_status_code      integer,
    last_error_message    text,
    version               integer     NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    deleted_at            timestamptz,
    CONSTRAINT monitors_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT monitors_name_length CHECK (char_length(name) BETWEEN 1 AND 255),
    CONSTRAINT monitors_url_format CHECK (char_length(url) <= 2048 AND url ~* '^https?://.'),
    CONSTRAINT monitors_check_interval_range CHECK (check_interval BETWEEN 10 AND 86400),
    CONSTRAINT monitors_status_valid CHECK (status IN ('up', 'down', 'unknown')),
    CONSTRAINT monitors_last_response_time_range CHECK (last_response_time_ms BETWEEN 0 AND 600000),
    CONSTRAINT monitors_last_status_code_range CHECK (last_status_code BETWEEN 100 AND 599),
    CONSTRAINT monitors_last_error_message_length CHECK (char_length(last_error_message) <= 2000),
    CONSTRAINT monitors_version_positive CHECK (version >= 1)
);

-- Keyset pagination of GET /v1/monitors in (created_at, id) order.
CREATE INDEX monitors_tenant_created_idx ON monitors (tenant_id, created_at, id) WHERE deleted_at IS NULL;

-- The status filter and the per-status counts of GET /v1/summary.
CREATE INDEX monitors_tenant_status_idx ON monitors (tenant_id, status) WHERE deleted_at IS NULL;
