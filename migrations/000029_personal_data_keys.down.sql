-- Reverses 000029. Erased personal data stays erased: the data keys are dropped with their
-- table, and the users that show '[erased]' cannot satisfy the older checks, so their rows
-- go too (the read model before 000029 had no way to show an erased user). The audit rows'
-- scrubbed fields and the deleted snapshots are not restored: nothing could restore them.
DROP TABLE user_data_keys;

ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
DELETE FROM users WHERE email = '[erased]' OR password_hash = '[erased]';
ALTER TABLE users FORCE ROW LEVEL SECURITY;
DROP INDEX users_tenant_email_key;
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email)) WHERE deleted_at IS NULL;
ALTER TABLE users DROP CONSTRAINT users_password_hash_bcrypt;
ALTER TABLE users ADD CONSTRAINT users_password_hash_bcrypt CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$');
ALTER TABLE users DROP CONSTRAINT users_email_format;
ALTER TABLE users ADD CONSTRAINT users_email_format CHECK (char_length(email) <= 255 AND email LIKE '_%@_%');
