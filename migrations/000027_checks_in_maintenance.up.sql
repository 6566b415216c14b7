-- Checks inside a maintenance window (CheckRecorded.inMaintenance) are stored as such and kept out
-- of the rollups' counts and latencies, which uptime and stats are computed from: the rollups
-- count them apart, in maintenance_checks. total_checks stays up + down + error.
ALTER TABLE monitor_checks ADD COLUMN in_maintenance boolean NOT NULL DEFAULT false;

ALTER TABLE monitor_check_rollups_hourly ADD COLUMN maintenance_checks integer NOT NULL DEFAULT 0
    CONSTRAINT monitor_check_rollups_hourly_maintenance_checks_valid CHECK (maintenance_checks >= 0);
ALTER TABLE monitor_check_rollups_daily ADD COLUMN maintenance_checks integer NOT NULL DEFAULT 0
    CONSTRAINT monitor_check_rollups_daily_maintenance_checks_valid CHECK (maintenance_checks >= 0);
