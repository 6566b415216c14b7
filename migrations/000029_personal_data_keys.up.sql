-- Crypto-shredding of users' personal data (README, "Personal data").
--
-- user_data_keys: one AES-256 data key per user, wrapped (AES-256-GCM: IV || ciphertext || tag)
-- by the key-encryption key named in kek_id, which only the command processor and the projector
-- hold. The processor inserts a user's key before the event sealed under it is written, and
-- deletes it when the user is erased: the row gone, nothing in Kafka opens again. The projector
-- reads the keys (also when rebuilding from offset 0); the read API has no grant at all.
CREATE TABLE user_data_keys (
    tenant_id    uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    kek_id       text        NOT NULL,
    wrapped_key  bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    rewrapped_at timestamptz,
    CONSTRAINT user_data_keys_pkey PRIMARY KEY (tenant_id, user_id),
    CONSTRAINT user_data_keys_kek_id_format CHECK (kek_id ~ '^[A-Za-z0-9._-]{1,64}$'),
    -- 12-byte IV, 32-byte key, 16-byte tag
    CONSTRAINT user_data_keys_wrapped_length CHECK (octet_length(wrapped_key) = 60)
);
-- `projections keys rewrap` pages through the keys of older KEKs.
CREATE INDEX user_data_keys_kek_idx ON user_data_keys (kek_id);

ALTER TABLE user_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_data_keys FORCE ROW LEVEL SECURITY;
-- Like every tenant table; no role that is subject to it is granted anything.
CREATE POLICY tenant_isolation ON user_data_keys FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON user_data_keys TO vinsight_projector;

-- The users read model writes '[erased]' into both columns once a user's personal data is
-- erased (or its key is gone when rebuilding): allowed by both checks, and never an address the
-- unique index compares.
ALTER TABLE users DROP CONSTRAINT users_email_format;
ALTER TABLE users ADD CONSTRAINT users_email_format
    CHECK (email = '[erased]' OR (char_length(email) <= 255 AND email LIKE '_%@_%'));
ALTER TABLE users DROP CONSTRAINT users_password_hash_bcrypt;
ALTER TABLE users ADD CONSTRAINT users_password_hash_bcrypt
    CHECK (password_hash = '[erased]' OR password_hash ~ '^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$');
DROP INDEX users_tenant_email_key;
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email)) WHERE deleted_at IS NULL AND email <> '[erased]';

-- Audit rows no longer keep personal data: UserRegistered rows written before this version
-- held the email and the bcrypt hash in the clear. The owner sees rows only without FORCE.
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;
UPDATE audit_events SET payload = payload - 'email' - 'passwordHash' - 'personal' - 'emailHash'
    WHERE type = 'UserRegistered';
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;

-- Processor snapshots of the older shape hold users' emails in the clear: the processor
-- rebuilds its state from the event log instead, and snapshots again.
DELETE FROM processor_snapshots;
