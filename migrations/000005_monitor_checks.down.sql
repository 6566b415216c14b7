DROP FUNCTION drop_monitor_check_partitions_before(date);
DROP FUNCTION ensure_monitor_check_partitions(date, integer);
-- Dropping a partitioned table drops every partition with it.
DROP TABLE monitor_checks;
