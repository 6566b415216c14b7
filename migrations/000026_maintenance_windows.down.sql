-- Reverses 000026.
CREATE OR REPLACE FUNCTION projector.rebuilt_tables()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['tenants', 'users', 'api_keys', 'monitors', 'monitor_checks', 'monitor_check_rollups_hourly',
             'monitor_check_rollups_daily', 'incidents', 'audit_events'];

DROP TABLE maintenance_windows;
