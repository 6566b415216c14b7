-- API keys read model. Only the SHA-256 of a token is ever stored; the token never travels.
CREATE TABLE api_keys (
    tenant_id    uuid        NOT NULL,
    id           uuid        NOT NULL,
    name         text        NOT NULL,
    token_sha256 text        NOT NULL,
    expires_at   timestamptz,
    revoked_at   timestamptz,
    version      integer     NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT api_keys_pkey PRIMARY KEY (tenant_id, id),
    CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_token_sha256_format CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT api_keys_version_positive CHECK (version >= 1)
);

-- The one index that does not start with tenant_id: authentication looks a key up by its hash
-- before the tenant is known (the tenant comes from the credential).
CREATE UNIQUE INDEX api_keys_token_sha256_key ON api_keys (token_sha256);
