-- The tenant's event history (GET /v1/audit-events): one row per event of `events`, with the
-- envelope's metadata. The payload is kept for operators but not granted to the read API
-- (000013): it can hold secrets such as UserRegistered's password hash.
CREATE TABLE audit_events (
    tenant_id      uuid        NOT NULL,
    event_id       uuid        NOT NULL,
    type           text        NOT NULL,
    schema_version integer     NOT NULL DEFAULT 1,
    aggregate_type text        NOT NULL,
    aggregate_id   uuid        NOT NULL,
    version        integer     NOT NULL,
    occurred_at    timestamptz NOT NULL,
    command_id     uuid        NOT NULL,
    correlation_id uuid        NOT NULL,
    issued_by      text,
    payload        jsonb       NOT NULL DEFAULT '{}',
    CONSTRAINT audit_events_pkey PRIMARY KEY (tenant_id, event_id),
    CONSTRAINT audit_events_type_length CHECK (char_length(type) BETWEEN 1 AND 100),
    CONSTRAINT audit_events_aggregate_type_length CHECK (char_length(aggregate_type) BETWEEN 1 AND 50),
    CONSTRAINT audit_events_version_positive CHECK (version >= 1),
    CONSTRAINT audit_events_schema_version_positive CHECK (schema_version >= 1),
    CONSTRAINT audit_events_issued_by_length CHECK (char_length(issued_by) <= 100),
    CONSTRAINT audit_events_payload_object CHECK (jsonb_typeof(payload) = 'object')
);

-- Newest first, keyset on (occurred_at, event_id).
CREATE INDEX audit_events_tenant_occurred_idx ON audit_events (tenant_id, occurred_at DESC, event_id DESC);

-- The same order filtered by event type.
CREATE INDEX audit_events_tenant_type_occurred_idx ON audit_events (tenant_id, type, occurred_at DESC, event_id DESC);
