-- Reverses 000027.
ALTER TABLE monitor_check_rollups_daily DROP COLUMN maintenance_checks;
ALTER TABLE monitor_check_rollups_hourly DROP COLUMN maintenance_checks;
ALTER TABLE monitor_checks DROP COLUMN in_maintenance;
