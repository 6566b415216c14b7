-- Reverses 000020.
REVOKE SELECT ON tenant_summaries FROM vinsight_api, vinsight_projector;
DROP VIEW tenant_summaries;

DROP INDEX monitor_check_rollups_daily_bucket_idx;
DROP INDEX monitor_check_rollups_hourly_bucket_idx;

REVOKE SELECT, INSERT, UPDATE, DELETE ON projector.parked_events FROM vinsight_projector;
REVOKE USAGE ON SCHEMA projector FROM vinsight_projector;
DROP TABLE projector.parked_events;
DROP SCHEMA projector;
