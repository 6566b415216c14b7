-- Users read model. password_hash is kept for the services that verify logins, but the read
-- API's role is never granted that column (000013).
CREATE TABLE users (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    email         text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL DEFAULT 'user',
    is_active     boolean     NOT NULL DEFAULT true,
    last_login_at timestamptz,
    version       integer     NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    deleted_at    timestamptz,
    CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
    -- The decider validates addresses properly; this only rejects what cannot be one.
    CONSTRAINT users_email_format CHECK (char_length(email) <= 255 AND email LIKE '_%@_%'),
    CONSTRAINT users_password_hash_bcrypt CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$'),
    CONSTRAINT users_role_valid CHECK (role IN ('owner', 'admin', 'user')),
    CONSTRAINT users_version_positive CHECK (version >= 1)
);

-- One live user per address and tenant, case-insensitively; removed users free the address.
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email)) WHERE deleted_at IS NULL;

-- Keyset pagination of GET /v1/users in (created_at, id) order.
CREATE INDEX users_tenant_created_idx ON users (tenant_id, created_at, id) WHERE deleted_at IS NULL;
