-- latency_histogram_is_valid guards every row written to the rollup tables (their CHECK
-- constraints, 000007 and 000008). As one SQL expression (000030) it was inlined into each
-- statement that writes a rollup: 56 subscripts, casts and additions read back from the stored
-- function body, simplified and compiled once per statement and table. The projector writes
-- rollups in many small statements (a few checks per batch at a fleet's steady rate), where that
-- compilation was most of the constraint's cost: pgbench, one-row upserts into a table with the
-- constraint, 0.19-0.22 ms more per statement than without it. PL/pgSQL is compiled once per
-- connection and keeps its plans: 0.02-0.03 ms more per statement, and about the same per row in
-- bulk (100,000 rows: 0.73-0.78 s against 0.76-0.91 s inlined).
-- Same answers: false for any other shape, a NULL count or a negative one, or counts that do not
-- add up to expected_total (summed as bigint); NULL when expected_total is NULL.
CREATE OR REPLACE FUNCTION latency_histogram_is_valid(histogram integer[], expected_total bigint)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  total bigint := 0;
  bucket_count integer;
BEGIN
  IF array_ndims(histogram) IS DISTINCT FROM 1
     OR array_lower(histogram, 1) <> 1
     OR cardinality(histogram) <> cardinality(latency_histogram_bounds())
     OR array_position(histogram, NULL) IS NOT NULL
     OR NOT 0 <= ALL (histogram) THEN
    RETURN false;
  END IF;
  FOREACH bucket_count IN ARRAY histogram LOOP
    total := total + bucket_count;
  END LOOP;
  RETURN total = expected_total;
END
$$;
