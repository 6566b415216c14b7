-- Reverses 000013 in reverse order: grants, then policies, then row level security.
REVOKE EXECUTE ON FUNCTION drop_monitor_check_partitions_before(date) FROM vinsight_projector;
REVOKE EXECUTE ON FUNCTION ensure_monitor_check_partitions(date, integer) FROM vinsight_projector;
REVOKE SELECT, INSERT, UPDATE, DELETE ON tenants, users, api_keys, monitors, monitor_checks,
    monitor_check_rollups_hourly, monitor_check_rollups_daily, incidents, audit_events,
    projection_checkpoints, tenant_slug_reservations FROM vinsight_projector;

REVOKE SELECT ON projection_checkpoints FROM vinsight_api;
REVOKE SELECT (tenant_id, event_id, type, schema_version, aggregate_type, aggregate_id, version, occurred_at,
    command_id, correlation_id, issued_by)
    ON audit_events FROM vinsight_api;
REVOKE SELECT (tenant_id, id, email, role, is_active, last_login_at, version, created_at, updated_at, deleted_at)
    ON users FROM vinsight_api;
REVOKE SELECT ON tenants, api_keys, monitors, monitor_checks, monitor_check_rollups_hourly,
    monitor_check_rollups_daily, incidents FROM vinsight_api;

DROP POLICY api_key_lookup ON api_keys;

DROP POLICY tenant_isolation ON audit_events;
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_events DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON incidents;
ALTER TABLE incidents NO FORCE ROW LEVEL SECURITY;
ALTER TABLE incidents DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON monitor_check_rollups_daily;
ALTER TABLE monitor_check_rollups_daily NO FORCE ROW LEVEL SECURITY;
ALTER TABLE monitor_check_rollups_daily DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON monitor_check_rollups_hourly;
ALTER TABLE monitor_check_rollups_hourly NO FORCE ROW LEVEL SECURITY;
ALTER TABLE monitor_check_rollups_hourly DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON monitor_checks;
ALTER TABLE monitor_checks NO FORCE ROW LEVEL SECURITY;
ALTER TABLE monitor_checks DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON monitors;
ALTER TABLE monitors NO FORCE ROW LEVEL SECURITY;
ALTER TABLE monitors DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON api_keys;
ALTER TABLE api_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON users;
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;

DROP POLICY tenant_isolation ON tenants;
ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tenants DISABLE ROW LEVEL SECURITY;
