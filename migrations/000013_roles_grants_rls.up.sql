-- Tenant isolation enforced by the database, and least-privilege
-- grants for the two runtime roles. The roles themselves are cluster-wide and created outside
-- migrations (deploy/local/postgres/setup.sh); this migration only grants to them.
--
--   vinsight_owner      runs the migrations and owns every object; has no policy, so under
--                       FORCE it sees no tenant rows either.
--   vinsight_api        the read API: SELECT only, through the policies below, for the tenant
--                       named by app.current_tenant_id, which the API sets per transaction with
--                       set_config('app.current_tenant_id', <uuid>, true). No tenant set -> no rows.
--   vinsight_projector  the projectors and the command processor: a trusted cross-tenant writer
--                       with BYPASSRLS (COPY FROM is refused on tables with active RLS).
--
-- FORCE applies the policies to the table owner too. On monitor_checks the policy sits on the
-- partitioned parent and applies to every query through it; partitions have no policies, which
-- is why no role but the owner is granted anything on a partition, and why there are no
-- ALTER DEFAULT PRIVILEGES (they would also grant on partitions created later).
-- nullif() turns the '' that a transaction-local setting leaves behind into NULL: no rows.

-- tenants: the tenant's own row, by id
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants FOR SELECT TO vinsight_api
    USING (id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE monitors ENABLE ROW LEVEL SECURITY;
ALTER TABLE monitors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON monitors FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE monitor_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE monitor_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON monitor_checks FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE monitor_check_rollups_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE monitor_check_rollups_hourly FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON monitor_check_rollups_hourly FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE monitor_check_rollups_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE monitor_check_rollups_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON monitor_check_rollups_daily FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON incidents FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events FOR SELECT TO vinsight_api
    USING (tenant_id = nullif(current_setting('app.current_tenant_id', true), '')::uuid);

-- Authentication happens before the tenant is known: the API sets app.api_key_token_sha256 to
-- the SHA-256 of the presented token and may then see that one key (and learn its tenant).
-- Knowing a hash already means holding the token, so this reveals nothing else.
CREATE POLICY api_key_lookup ON api_keys FOR SELECT TO vinsight_api
    USING (token_sha256 = nullif(current_setting('app.api_key_token_sha256', true), ''));

-- The read API: SELECT only. users without password_hash and audit_events without payload
-- are granted column by column; a new column there stays hidden until a migration grants it.
GRANT SELECT ON tenants, api_keys, monitors, monitor_checks, monitor_check_rollups_hourly,
    monitor_check_rollups_daily, incidents TO vinsight_api;
GRANT SELECT (tenant_id, id, email, role, is_active, last_login_at, version, created_at, updated_at, deleted_at)
    ON users TO vinsight_api;
GRANT SELECT (tenant_id, event_id, type, schema_version, aggregate_type, aggregate_id, version, occurred_at,
    command_id, correlation_id, issued_by)
    ON audit_events TO vinsight_api;
-- Read-your-writes: the API compares a consistency token with the projections' positions.
GRANT SELECT ON projection_checkpoints TO vinsight_api;

-- The projector writes every read model, its checkpoints and (for the command processor) the
-- slug reservations, and keeps monitor_checks partitioned through the owner's functions.
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, users, api_keys, monitors, monitor_checks,
    monitor_check_rollups_hourly, monitor_check_rollups_daily, incidents, audit_events,
    projection_checkpoints, tenant_slug_reservations TO vinsight_projector;
GRANT EXECUTE ON FUNCTION ensure_monitor_check_partitions(date, integer) TO vinsight_projector;
GRANT EXECUTE ON FUNCTION drop_monitor_check_partitions_before(date) TO vinsight_projector;
