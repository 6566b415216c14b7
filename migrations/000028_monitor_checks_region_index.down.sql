DROP INDEX IF EXISTS monitor_checks_region_idx;
