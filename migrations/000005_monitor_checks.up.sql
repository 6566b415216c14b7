-- Raw check results, one row per CheckRecorded event, partitioned by day (UTC) on checked_at so
-- retention drops whole partitions instead of deleting rows. Daily rather than monthly: a day
-- is the smallest retention step a plan needs, and a day's partition stays small enough to
-- create, scan and drop quickly. Rows outside every daily partition land in the DEFAULT
-- partition instead of failing the projector's batch.
CREATE TABLE monitor_checks (
    tenant_id        uuid        NOT NULL,
    monitor_id       uuid        NOT NULL,
    id               uuid        NOT NULL,  -- the check's checkId
    status           text        NOT NULL,
    response_time_ms integer,
    status_code      integer,
    error_message    text,
    region           text,
    checked_at       timestamptz NOT NULL,
    -- A partitioned table's primary key must contain the partition key. This order also serves
    -- GET /v1/monitors/:id/checks (newest first, by a backward scan) and the minute buckets of
    -- /stats, so the table needs no second index.
    CONSTRAINT monitor_checks_pkey PRIMARY KEY (tenant_id, monitor_id, checked_at, id),
    CONSTRAINT monitor_checks_status_valid CHECK (status IN ('up', 'down', 'error')),
    CONSTRAINT monitor_checks_response_time_range CHECK (response_time_ms BETWEEN 0 AND 600000),
    CONSTRAINT monitor_checks_status_code_range CHECK (status_code BETWEEN 100 AND 599),
    CONSTRAINT monitor_checks_error_message_length CHECK (char_length(error_message) <= 2000),
    CONSTRAINT monitor_checks_region_length CHECK (char_length(region) <= 50)
) PARTITION BY RANGE (checked_at);

CREATE TABLE monitor_checks_default PARTITION OF monitor_checks DEFAULT;

-- Creates the missing daily partitions monitor_checks_pYYYYMMDD for `days` days from
-- `from_day`, each covering [day 00:00 UTC, next day 00:00 UTC); returns how many it created.
--
-- SECURITY DEFINER so the projector can keep partitions ahead of time without owning the
-- table (only an owner may create or attach partitions): the function runs as its owner, the
-- migration role, and does nothing but this. EXECUTE is granted to the projector in 000013.
--
-- Each partition is built beside the table and then attached: rows for that day already in
-- the DEFAULT partition are moved into it first (CREATE ... PARTITION OF would fail on them),
-- and ATTACH only takes SHARE UPDATE EXCLUSIVE on monitor_checks, so reads and inserts keep
-- running. The advisory lock serialises concurrent callers.
CREATE FUNCTION ensure_monitor_check_partitions(from_day date, days integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    partition_day date;
    lower_at  timestamptz;
    upper_at  timestamptz;
    partition_name text;
    created   integer := 0;
BEGIN
    IF from_day IS NULL OR days IS NULL OR days < 0 OR days > 400 THEN
        RAISE EXCEPTION 'ensure_monitor_check_partitions: from_day must be set and days within 0..400, got % and %',
            from_day, days USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('vinsight.monitor_checks.partitions'));
    FOR offset_days IN 0 .. days - 1 LOOP
        partition_day := from_day + offset_days;
        partition_name := 'monitor_checks_p' || to_char(partition_day, 'YYYYMMDD');
        CONTINUE WHEN to_regclass(format('public.%I', partition_name)) IS NOT NULL;
        lower_at := partition_day::timestamp AT TIME ZONE 'UTC';
        upper_at := (partition_day + 1)::timestamp AT TIME ZONE 'UTC';
        EXECUTE format(
            'CREATE TABLE public.%I (LIKE public.monitor_checks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
            partition_name);
        EXECUTE format(
            'WITH moved AS (DELETE FROM public.monitor_checks_default'
            ' WHERE checked_at >= $1 AND checked_at < $2 RETURNING *)'
            ' INSERT INTO public.%I SELECT * FROM moved',
            partition_name) USING lower_at, upper_at;
        EXECUTE format(
            'ALTER TABLE public.monitor_checks ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
            partition_name, lower_at, upper_at);
        created := created + 1;
    END LOOP;
    RETURN created;
END;
$$;

-- Retention: drops every daily partition whose day ends at or before `before_day` 00:00 UTC,
-- and deletes the rows before that instant that sit in the DEFAULT partition. Returns the names
-- of the dropped partitions. SECURITY DEFINER for the same reason as above.
CREATE FUNCTION drop_monitor_check_partitions_before(before_day date)
RETURNS SETOF text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    partition_name text;
BEGIN
    IF before_day IS NULL THEN
        RAISE EXCEPTION 'drop_monitor_check_partitions_before: before_day must be set'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('vinsight.monitor_checks.partitions'));
    FOR partition_name IN
        SELECT child.relname
        FROM pg_inherits
        JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE pg_inherits.inhparent = 'public.monitor_checks'::regclass
          AND child.relname ~ '^monitor_checks_p[0-9]{8}$'
          AND to_date(substr(child.relname, 17), 'YYYYMMDD') < before_day
        ORDER BY child.relname
    LOOP
        EXECUTE format('DROP TABLE public.%I', partition_name);
        RETURN NEXT partition_name;
    END LOOP;
    DELETE FROM public.monitor_checks_default
    WHERE checked_at < (before_day::timestamp AT TIME ZONE 'UTC');
END;
$$;

-- Definer functions are executable by PUBLIC unless revoked; close that before anyone can call.
REVOKE EXECUTE ON FUNCTION ensure_monitor_check_partitions(date, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION drop_monitor_check_partitions_before(date) FROM PUBLIC;

-- Two days back (late or replayed checks) to a week ahead; the projector keeps extending it.
SELECT ensure_monitor_check_partitions((now() AT TIME ZONE 'UTC')::date - 2, 10);
