-- Cross-tenant uniqueness of tenant slugs. Kafka cannot check a
-- value across partitions, so the command processor inserts the slug here before it writes
-- TenantCreated; the primary key makes the first reservation win, and a retried command
-- recognises its own reservation by command_id. Not tenant data, so no row level security.
CREATE TABLE tenant_slug_reservations (
    slug        text        NOT NULL,
    tenant_id   uuid        NOT NULL,
    command_id  uuid        NOT NULL,
    reserved_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenant_slug_reservations_pkey PRIMARY KEY (slug),
    CONSTRAINT tenant_slug_reservations_slug_format CHECK (
        char_length(slug) BETWEEN 3 AND 100 AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'
    )
);

-- A tenant's reservations, to release them or to check which slug a tenant holds.
CREATE INDEX tenant_slug_reservations_tenant_idx ON tenant_slug_reservations (tenant_id);
