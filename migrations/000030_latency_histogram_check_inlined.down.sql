CREATE OR REPLACE FUNCTION latency_histogram_is_valid(histogram integer[], expected_total bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN array_ndims(histogram) = 1
    AND array_lower(histogram, 1) = 1
    AND cardinality(histogram) = cardinality(latency_histogram_bounds())
    AND array_position(histogram, NULL) IS NULL
    AND (SELECT bool_and(bucket_count >= 0) AND sum(bucket_count) = expected_total FROM unnest(histogram) AS bucket_count);
