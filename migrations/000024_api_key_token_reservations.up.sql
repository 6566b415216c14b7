-- Cross-tenant uniqueness of API key tokens. The read model has always required it
-- (api_keys_token_sha256_key: a token must name one key, since authentication looks a key up by
-- its hash before the tenant is known), but the command processor checked it only within a
-- tenant, so a second tenant's IssueApiKey with a token already in use was accepted and then
-- refused by the projector. Like tenant slugs, the token's hash is reserved here before
-- ApiKeyIssued is written; the first reservation wins and a retried command finds its own row.
-- Not tenant data, so no row level security; the API role has no access.
CREATE TABLE api_key_token_reservations (
    token_sha256 text        NOT NULL,
    tenant_id    uuid        NOT NULL,
    command_id   uuid        NOT NULL,
    reserved_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_key_token_reservations_pkey PRIMARY KEY (token_sha256),
    CONSTRAINT api_key_token_reservations_token_format CHECK (token_sha256 ~ '^[0-9a-f]{64}$')
);

CREATE INDEX api_key_token_reservations_tenant_idx ON api_key_token_reservations (tenant_id);

-- Keys issued before this migration hold their token already. The command id of the event that
-- issued them is not kept by the read model; a nil id marks these rows (only the tenant decides
-- whether a reservation is one's own).
INSERT INTO api_key_token_reservations (token_sha256, tenant_id, command_id)
SELECT token_sha256, tenant_id, '00000000-0000-0000-0000-000000000000'::uuid FROM api_keys
ON CONFLICT (token_sha256) DO NOTHING;

GRANT SELECT, INSERT ON api_key_token_reservations TO vinsight_projector;
