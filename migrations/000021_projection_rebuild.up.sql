-- Zero-downtime rebuilds of the read models (`npm run projections -- rebuild`): the projector
-- replays both topics from their start into a build schema holding empty copies of the read-model
-- tables, then switches: in one transaction the live tables move out to a retired schema and the
-- built ones move into `public` under the same names, so the read API's queries (which name the
-- tables without a schema) read the new rows from the next statement on. Moving a table is a
-- catalog change: it waits for running reads, never fails them.
--
-- Only an owner may create tables like these, move them or attach partitions, so these are
-- SECURITY DEFINER functions run as the migration role; the projector may call the four public
-- entry points (granted at the end) and nothing else. Schema names are checked against fixed
-- patterns, and the tables they touch are the fixed list below.

-- The tables a rebuild replaces: every read model the projector writes.
CREATE FUNCTION projector.rebuilt_tables()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['tenants', 'users', 'api_keys', 'monitors', 'monitor_checks', 'monitor_check_rollups_hourly',
             'monitor_check_rollups_daily', 'incidents', 'audit_events'];

CREATE FUNCTION projector.check_schema_name(schema_name text, kind text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog
AS $$
BEGIN
    IF schema_name IS NULL OR schema_name !~ ('^projection_' || kind || '_[a-z0-9_]{1,40}$') THEN
        RAISE EXCEPTION 'not a projection % schema name: %', kind, schema_name USING ERRCODE = 'invalid_parameter_value';
    END IF;
END;
$$;

-- An empty copy of public.<table_name> in target_schema: columns, defaults, CHECK constraints,
-- keys and indexes under their original names (so later migrations find them after a switch),
-- partitioning, row level security with the same policies, and the same grants.
CREATE FUNCTION projector.copy_table_definition(table_name text, target_schema text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    source   regclass := format('public.%I', table_name)::regclass;
    target   text := format('%I.%I', target_schema, table_name);
    source_class pg_class%ROWTYPE;
    item     record;
BEGIN
    SELECT * INTO source_class FROM pg_class WHERE oid = source;
    IF source_class.relkind = 'p' THEN
        EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING ALL EXCLUDING INDEXES) PARTITION BY %s',
            target, source, pg_get_partkeydef(source));
    ELSE
        EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING ALL EXCLUDING INDEXES)', target, source);
    END IF;

    FOR item IN
        SELECT conname, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint WHERE conrelid = source AND contype IN ('p', 'u', 'x') ORDER BY conname
    LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', target, item.conname, item.definition);
    END LOOP;

    FOR item IN
        SELECT pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i
        WHERE i.indrelid = source
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = source)
        ORDER BY i.indexrelid
    LOOP
        -- "CREATE [UNIQUE] INDEX name ON [ONLY] public.table USING ..." -> the same on the copy
        EXECUTE regexp_replace(item.definition, '^(CREATE (UNIQUE )?INDEX \S+ ON )(ONLY )?\S+ USING ',
            '\1' || replace(target, '\', '\\') || ' USING ');
    END LOOP;

    IF source_class.relrowsecurity THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    END IF;
    IF source_class.relforcerowsecurity THEN
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
    END IF;
    FOR item IN
        SELECT p.polname, p.polpermissive, p.polcmd,
               (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')
                FROM unnest(p.polroles) AS r) AS roles,
               pg_get_expr(p.polqual, p.polrelid) AS using_expression,
               pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression
        FROM pg_policy p WHERE p.polrelid = source ORDER BY p.polname
    LOOP
        EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', item.polname, target,
            CASE WHEN item.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
            CASE item.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                             WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
            item.roles,
            CASE WHEN item.using_expression IS NULL THEN '' ELSE format(' USING (%s)', item.using_expression) END,
            CASE WHEN item.check_expression IS NULL THEN '' ELSE format(' WITH CHECK (%s)', item.check_expression) END);
    END LOOP;

    FOR item IN
        SELECT a.grantee, a.privilege_type, a.is_grantable
        FROM aclexplode(source_class.relacl) AS a
        WHERE a.grantee <> source_class.relowner
    LOOP
        EXECUTE format('GRANT %s ON %s TO %s%s', item.privilege_type, target,
            CASE WHEN item.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(item.grantee)) END,
            CASE WHEN item.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    FOR item IN
        SELECT att.attname, a.grantee, a.privilege_type
        FROM pg_attribute att, aclexplode(att.attacl) AS a
        WHERE att.attrelid = source AND att.attnum > 0 AND NOT att.attisdropped AND a.grantee <> source_class.relowner
        ORDER BY att.attnum
    LOOP
        EXECUTE format('GRANT %s (%I) ON %s TO %s', item.privilege_type, item.attname, target,
            CASE WHEN item.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(item.grantee)) END);
    END LOOP;
END;
$$;

-- Adds the daily partition of `day` to <target_schema>.monitor_checks if it is missing, as
-- ensure_monitor_check_partitions (000005) does for the live table: rows of that day already in
-- the DEFAULT partition move into it first. Returns whether it created one.
CREATE FUNCTION projector.add_check_partition(target_schema text, day date)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    partition_name text := 'monitor_checks_p' || to_char(day, 'YYYYMMDD');
    lower_at timestamptz := day::timestamp AT TIME ZONE 'UTC';
    upper_at timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF to_regclass(format('%I.%I', target_schema, partition_name)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.monitor_checks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
        target_schema, partition_name, target_schema);
    EXECUTE format('WITH moved AS (DELETE FROM %I.monitor_checks_default WHERE checked_at >= $1 AND checked_at < $2 RETURNING *)'
                   ' INSERT INTO %I.%I SELECT * FROM moved', target_schema, target_schema, partition_name)
        USING lower_at, upper_at;
    EXECUTE format('ALTER TABLE %I.monitor_checks ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
        target_schema, target_schema, partition_name, lower_at, upper_at);
    RETURN true;
END;
$$;

-- Gives the build's monitor_checks every daily partition the live table has.
CREATE FUNCTION projector.mirror_check_partitions(build_schema text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
    partition_name text;
BEGIN
    FOR partition_name IN
        SELECT child.relname
        FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE pg_inherits.inhparent = 'public.monitor_checks'::regclass
          AND child.relname ~ '^monitor_checks_p[0-9]{8}$'
        ORDER BY child.relname
    LOOP
        PERFORM projector.add_check_partition(build_schema, to_date(substr(partition_name, 17), 'YYYYMMDD'));
    END LOOP;
END;
$$;

-- Entry point 1: creates the build schema with empty copies of the read-model tables, the live
-- table's check partitions, and the build's own projection_checkpoints table.
CREATE FUNCTION projector.rebuild_prepare(build_schema text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    table_name text;
BEGIN
    PERFORM projector.check_schema_name(build_schema, 'build');
    PERFORM pg_advisory_xact_lock(hashtext('vinsight.monitor_checks.partitions'));
    EXECUTE format('CREATE SCHEMA %I', build_schema);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO vinsight_projector', build_schema);
    FOREACH table_name IN ARRAY projector.rebuilt_tables() LOOP
        PERFORM projector.copy_table_definition(table_name, build_schema);
    END LOOP;
    EXECUTE format('CREATE TABLE %I.monitor_checks_default PARTITION OF %I.monitor_checks DEFAULT',
        build_schema, build_schema);
    PERFORM projector.mirror_check_partitions(build_schema);
    EXECUTE format('CREATE TABLE %I.projection_checkpoints (LIKE public.projection_checkpoints INCLUDING ALL)', build_schema);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.projection_checkpoints TO vinsight_projector', build_schema);
END;
$$;

-- Entry point 2: the build's counterpart of ensure_monitor_check_partitions.
CREATE FUNCTION projector.rebuild_ensure_check_partitions(build_schema text, from_day date, days integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    created integer := 0;
BEGIN
    PERFORM projector.check_schema_name(build_schema, 'build');
    IF from_day IS NULL OR days IS NULL OR days < 0 OR days > 400 THEN
        RAISE EXCEPTION 'rebuild_ensure_check_partitions: from_day must be set and days within 0..400, got % and %',
            from_day, days USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('vinsight.monitor_checks.partitions.' || build_schema));
    FOR offset_days IN 0 .. days - 1 LOOP
        IF projector.add_check_partition(build_schema, from_day + offset_days) THEN
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END;
$$;

-- Entry point 3: the switch. The caller holds the projection's checkpoints locked and writes
-- the build's checkpoints as the live ones in the same transaction. Views over the live tables
-- are re-pointed at the new ones (a view binds to a table, not to its name).
CREATE FUNCTION projector.rebuild_switch(build_schema text, retired_schema text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    table_name text;
    live_tables oid[];
    partition_name text;
    dependent record;
    views_to_repoint text[] := '{}';
    statement text;
BEGIN
    PERFORM projector.check_schema_name(build_schema, 'build');
    PERFORM projector.check_schema_name(retired_schema, 'retired');
    PERFORM pg_advisory_xact_lock(hashtext('vinsight.monitor_checks.partitions'));
    PERFORM projector.mirror_check_partitions(build_schema);

    SELECT array_agg(format('public.%I', t)::regclass::oid) INTO live_tables FROM unnest(projector.rebuilt_tables()) AS t;
    FOR dependent IN
        SELECT DISTINCT v.oid, v.relkind, n.nspname, v.relname, v.reloptions
        FROM pg_depend d
        JOIN pg_rewrite r ON r.oid = d.objid
        JOIN pg_class v ON v.oid = r.ev_class
        JOIN pg_namespace n ON n.oid = v.relnamespace
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = ANY (live_tables) AND v.oid <> ALL (live_tables)
    LOOP
        IF dependent.relkind <> 'v' THEN
            RAISE EXCEPTION 'rebuild_switch: %.% depends on a read-model table and is not a plain view',
                dependent.nspname, dependent.relname USING ERRCODE = 'dependent_objects_still_exist';
        END IF;
        views_to_repoint := views_to_repoint || format('CREATE OR REPLACE VIEW %I.%I%s AS %s',
            dependent.nspname, dependent.relname,
            CASE WHEN dependent.reloptions IS NULL THEN ''
                 ELSE format(' WITH (%s)', array_to_string(dependent.reloptions, ', ')) END,
            pg_get_viewdef(dependent.oid));
    END LOOP;

    EXECUTE format('CREATE SCHEMA %I', retired_schema);
    FOREACH table_name IN ARRAY projector.rebuilt_tables() LOOP
        IF table_name = 'monitor_checks' THEN
            -- partitions do not follow their parent to another schema
            FOR partition_name IN
                SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                WHERE pg_inherits.inhparent = 'public.monitor_checks'::regclass
            LOOP
                EXECUTE format('ALTER TABLE public.%I SET SCHEMA %I', partition_name, retired_schema);
            END LOOP;
        END IF;
        EXECUTE format('ALTER TABLE public.%I SET SCHEMA %I', table_name, retired_schema);
    END LOOP;
    FOREACH table_name IN ARRAY projector.rebuilt_tables() LOOP
        EXECUTE format('ALTER TABLE %I.%I SET SCHEMA public', build_schema, table_name);
        IF table_name = 'monitor_checks' THEN
            FOR partition_name IN
                SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                WHERE pg_inherits.inhparent = 'public.monitor_checks'::regclass
                  AND child.relnamespace = build_schema::regnamespace
            LOOP
                EXECUTE format('ALTER TABLE %I.%I SET SCHEMA public', build_schema, partition_name);
            END LOOP;
        END IF;
    END LOOP;
    FOREACH statement IN ARRAY views_to_repoint LOOP
        EXECUTE statement;
    END LOOP;
END;
$$;

-- Entry point 4: fresh statistics for the built tables before they go live (only an owner may
-- ANALYZE), and dropping a build or retired schema with everything in it.
CREATE FUNCTION projector.rebuild_analyze(build_schema text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    table_name text;
BEGIN
    PERFORM projector.check_schema_name(build_schema, 'build');
    FOREACH table_name IN ARRAY projector.rebuilt_tables() LOOP
        EXECUTE format('ANALYZE %I.%I', build_schema, table_name);
    END LOOP;
END;
$$;

CREATE FUNCTION projector.rebuild_drop(schema_name text)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF schema_name IS NULL OR schema_name !~ '^projection_(build|retired)_[a-z0-9_]{1,40}$' THEN
        RAISE EXCEPTION 'not a projection build or retired schema name: %', schema_name USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regnamespace(schema_name) IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP SCHEMA %I CASCADE', schema_name);
    RETURN true;
END;
$$;

REVOKE EXECUTE ON FUNCTION projector.rebuilt_tables() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.check_schema_name(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.copy_table_definition(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.add_check_partition(text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.mirror_check_partitions(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.rebuild_prepare(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.rebuild_ensure_check_partitions(text, date, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.rebuild_switch(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.rebuild_analyze(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION projector.rebuild_drop(text) FROM PUBLIC;

GRANT EXECUTE ON FUNCTION projector.rebuild_prepare(text) TO vinsight_projector;
GRANT EXECUTE ON FUNCTION projector.rebuild_ensure_check_partitions(text, date, integer) TO vinsight_projector;
GRANT EXECUTE ON FUNCTION projector.rebuild_switch(text, text) TO vinsight_projector;
GRANT EXECUTE ON FUNCTION projector.rebuild_analyze(text) TO vinsight_projector;
GRANT EXECUTE ON FUNCTION projector.rebuild_drop(text) TO vinsight_projector;
