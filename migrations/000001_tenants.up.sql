-- Tenants read model, one row per tenant aggregate, written by the projector from Tenant* events.
-- The tenant's own id is its tenant column: row level security (000013) filters on id.
--
-- Read models carry no foreign keys: each projection advances on its own checkpoint (and
-- check results come from another topic), so a row may legitimately arrive before the row it
-- refers to. Referential integrity comes from the deciders; the event stream is the truth.
CREATE TABLE tenants (
    id                  uuid        NOT NULL,
    name                text        NOT NULL,
    slug                text        NOT NULL,
    plan                text        NOT NULL DEFAULT 'free',
    is_active           boolean     NOT NULL DEFAULT true,
    deactivation_reason text,
    -- Aggregate version after the last applied event: projectors apply an event only when it
    -- is newer, which makes replays and redeliveries harmless.
    version             integer     NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    deleted_at          timestamptz,
    CONSTRAINT tenants_pkey PRIMARY KEY (id),
    CONSTRAINT tenants_name_length CHECK (char_length(name) BETWEEN 1 AND 255),
    CONSTRAINT tenants_slug_format CHECK (
        char_length(slug) BETWEEN 3 AND 100 AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'
    ),
    CONSTRAINT tenants_plan_valid CHECK (plan IN ('free', 'pro', 'enterprise')),
    CONSTRAINT tenants_deactivation_reason_length CHECK (char_length(deactivation_reason) <= 500),
    CONSTRAINT tenants_version_positive CHECK (version >= 1)
);

-- Not unique on purpose: slug uniqueness is decided through tenant_slug_reservations before
-- the event exists. Tenants live on different partitions, so a projector could see a new
-- tenant's TenantCreated before another tenant's TenantDeleted that freed the slug; a unique
-- index here would then stop the projection.
CREATE INDEX tenants_slug_idx ON tenants (slug);
