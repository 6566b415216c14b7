-- Checks of one region (GET /v1/monitors/{id}/checks|uptime|stats?region=, uptime?by=region) are
-- read from raw checks, newest first, like the primary key's order. Created on the partitioned
-- parent, so every partition, present and future, gets it; rebuilds copy it to their build tables.
CREATE INDEX monitor_checks_region_idx ON monitor_checks (tenant_id, monitor_id, region, checked_at DESC, id DESC);
