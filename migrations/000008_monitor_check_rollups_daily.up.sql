-- Daily rollups of check results per monitor, rolled up from the hourly rows (or straight from checks).
-- They answer /uptime and /stats without touching raw checks: uptime from the counts, the
-- average from response_time_sum_ms / response_time_count, p95 from the merged histograms
-- (see 000006 for the bucket bounds). bucket_start is the start of the day in UTC.
CREATE TABLE monitor_check_rollups_daily (
    tenant_id            uuid        NOT NULL,
    monitor_id           uuid        NOT NULL,
    bucket_start         timestamptz NOT NULL,
    total_checks         integer     NOT NULL DEFAULT 0,
    up_checks            integer     NOT NULL DEFAULT 0,
    down_checks          integer     NOT NULL DEFAULT 0,
    error_checks         integer     NOT NULL DEFAULT 0,
    -- only checks that reported a response time count towards these and the histogram
    response_time_sum_ms bigint      NOT NULL DEFAULT 0,
    response_time_count  integer     NOT NULL DEFAULT 0,
    latency_histogram    integer[]   NOT NULL DEFAULT latency_histogram_empty(),
    CONSTRAINT monitor_check_rollups_daily_pkey PRIMARY KEY (tenant_id, monitor_id, bucket_start),
    CONSTRAINT monitor_check_rollups_daily_bucket_aligned CHECK (
        date_trunc('day', bucket_start AT TIME ZONE 'UTC') = bucket_start AT TIME ZONE 'UTC'
    ),
    CONSTRAINT monitor_check_rollups_daily_counts_valid CHECK (
        up_checks >= 0 AND down_checks >= 0 AND error_checks >= 0
        AND total_checks = up_checks + down_checks + error_checks
    ),
    CONSTRAINT monitor_check_rollups_daily_response_times_valid CHECK (
        response_time_count BETWEEN 0 AND total_checks
        AND response_time_sum_ms BETWEEN 0 AND response_time_count::bigint * 600000
    ),
    CONSTRAINT monitor_check_rollups_daily_histogram_valid CHECK (
        latency_histogram_is_valid(latency_histogram, response_time_count)
    )
);
