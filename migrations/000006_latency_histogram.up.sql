-- A mergeable latency histogram for the rollup tables (000007, 000008): a fixed set of 56
-- buckets on a roughly logarithmic scale, about ten per decade (1, 1.25, 1.5, 2, 2.5, 3, 4, 5,
-- 6, 8 times a power of ten): from 10 ms on each bound is at most a third above the one before
-- (below 10 ms, whole milliseconds leave buckets 1-2 ms wide). A histogram is
-- an integer[56] of counts, so histograms merge by element-wise addition: hourly rows add up
-- into daily rows, and any set of rows adds up into one histogram from which a percentile is
-- read, e.g. p95 over 90 days from 90 daily rows, with no raw checks involved.
--
-- Bucket k (1-based, like Postgres arrays) counts response times r in whole milliseconds with
-- lower(k) <= r < lower(k + 1); the last bucket, k = 56, is [500000, 600000] (600000 is the
-- largest response time the contract allows). The lower bounds, in ms:
--   k  1..8   0 1 2 3 4 5 6 8
--   k  9..18  10 12 15 20 25 30 40 50 60 80
--   k 19..28  100 125 150 200 250 300 400 500 600 800
--   k 29..38  1000 1250 1500 2000 2500 3000 4000 5000 6000 8000
--   k 39..48  10000 12500 15000 20000 25000 30000 40000 50000 60000 80000
--   k 49..56  100000 125000 150000 200000 250000 300000 400000 500000
-- These bounds are part of the stored data: changing them needs a new histogram column.
CREATE FUNCTION latency_histogram_bounds()
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY[
    0, 1, 2, 3, 4, 5, 6, 8,
    10, 12, 15, 20, 25, 30, 40, 50, 60, 80,
    100, 125, 150, 200, 250, 300, 400, 500, 600, 800,
    1000, 1250, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000,
    10000, 12500, 15000, 20000, 25000, 30000, 40000, 50000, 60000, 80000,
    100000, 125000, 150000, 200000, 250000, 300000, 400000, 500000
]::integer[];

-- The bucket number (1..56) of a response time in ms (0..600000).
CREATE FUNCTION latency_histogram_bucket(response_time_ms integer)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN width_bucket(response_time_ms, latency_histogram_bounds());

CREATE FUNCTION latency_histogram_empty()
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN array_fill(0, ARRAY[cardinality(latency_histogram_bounds())]);

-- True when `histogram` has exactly the 56 non-negative counts and they add up to
-- `expected_total` (the rollup row's count of checks with a response time).
CREATE FUNCTION latency_histogram_is_valid(histogram integer[], expected_total bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN array_ndims(histogram) = 1
    AND array_lower(histogram, 1) = 1
    AND cardinality(histogram) = cardinality(latency_histogram_bounds())
    AND array_position(histogram, NULL) IS NULL
    AND (SELECT bool_and(bucket_count >= 0) AND sum(bucket_count) = expected_total FROM unnest(histogram) AS bucket_count);

-- Adds one response time to a histogram; a NULL response time (a check without one) adds nothing.
CREATE FUNCTION latency_histogram_add(histogram integer[], response_time_ms integer)
RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    bucket integer;
BEGIN
    IF histogram IS NULL THEN
        histogram := latency_histogram_empty();
    END IF;
    IF response_time_ms IS NOT NULL THEN
        bucket := latency_histogram_bucket(response_time_ms);
        histogram[bucket] := histogram[bucket] + 1;
    END IF;
    RETURN histogram;
END;
$$;

-- Builds the histogram of a group of raw checks:
--   SELECT ..., latency_histogram_agg(response_time_ms) FROM monitor_checks GROUP BY ...
CREATE AGGREGATE latency_histogram_agg(integer) (
    SFUNC = latency_histogram_add,
    STYPE = integer[]
);

-- Element-wise sum of two histograms, for upserts into a rollup row:
--   ON CONFLICT ... DO UPDATE SET latency_histogram =
--       latency_histogram_merge(t.latency_histogram, EXCLUDED.latency_histogram)
CREATE FUNCTION latency_histogram_merge(a integer[], b integer[])
RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(SELECT x + y FROM unnest(a, b) WITH ORDINALITY AS pair(x, y, position) ORDER BY position);

CREATE FUNCTION latency_histogram_accumulate(total bigint[], histogram integer[])
RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    IF histogram IS NULL THEN
        RETURN total;
    END IF;
    IF total IS NULL THEN
        total := latency_histogram_empty()::bigint[];
    END IF;
    FOR bucket IN 1 .. cardinality(total) LOOP
        total[bucket] := total[bucket] + histogram[bucket];
    END LOOP;
    RETURN total;
END;
$$;

-- Sums the histograms of many rollup rows into bigint counts, which cannot overflow across
-- a tenant's monitors:  SELECT latency_histogram_sum(latency_histogram) FROM ... WHERE ...
CREATE AGGREGATE latency_histogram_sum(integer[]) (
    SFUNC = latency_histogram_accumulate,
    STYPE = bigint[]
);

-- Estimates the `fraction` percentile (0.95 for p95) in ms: finds the bucket holding that rank
-- and interpolates linearly inside it, so the error is bounded by the bucket's width. NULL for
-- an empty histogram. Accepts integer[] histograms too (implicit cast).
CREATE FUNCTION latency_histogram_percentile(histogram bigint[], fraction double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    bounds    constant integer[] := latency_histogram_bounds();
    max_ms    constant integer := 600000;
    total     bigint;
    target    double precision;
    seen      bigint := 0;
    lower_ms  double precision;
    upper_ms  double precision;
BEGIN
    IF fraction < 0 OR fraction > 1 THEN
        RAISE EXCEPTION 'latency_histogram_percentile: fraction must be within 0..1, got %', fraction
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF cardinality(histogram) <> cardinality(bounds) THEN
        RAISE EXCEPTION 'latency_histogram_percentile: expected % buckets, got %',
            cardinality(bounds), cardinality(histogram) USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT sum(bucket_count) INTO total FROM unnest(histogram) AS bucket_count;
    IF total IS NULL OR total = 0 THEN
        RETURN NULL;
    END IF;
    target := fraction * total;
    FOR bucket IN 1 .. cardinality(histogram) LOOP
        IF histogram[bucket] > 0 AND seen + histogram[bucket] >= target THEN
            lower_ms := bounds[bucket];
            upper_ms := CASE WHEN bucket < cardinality(bounds) THEN bounds[bucket + 1] ELSE max_ms END;
            RETURN lower_ms + (upper_ms - lower_ms) * greatest(target - seen, 0) / histogram[bucket];
        END IF;
        seen := seen + histogram[bucket];
    END LOOP;
    RETURN max_ms;
END;
$$;
