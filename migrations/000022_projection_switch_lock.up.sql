-- The switch of a rebuild (000021) renames tables that the read API is reading. Taking their
-- ACCESS EXCLUSIVE locks one by one while readers hold some of them and wait for others can
-- deadlock, and Postgres would then cancel a reader. So the switch takes every lock it needs up
-- front with this function, under a short lock_timeout set by the caller: if the locks are not
-- all free in time it gives up, lets the readers finish and tries again, and a reader never waits
-- long enough (deadlock_timeout) to be chosen as a deadlock victim.
--
-- SECURITY DEFINER: ACCESS EXCLUSIVE on the views needs more than the projector's SELECT.
CREATE FUNCTION projector.rebuild_lock_live_tables()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    live_tables oid[];
    targets text;
BEGIN
    SELECT array_agg(format('public.%I', t)::regclass::oid) INTO live_tables FROM unnest(projector.rebuilt_tables()) AS t;
    SELECT string_agg(relation, ', ') INTO targets FROM (
        SELECT format('%I.%I', n.nspname, c.relname) AS relation
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = ANY (live_tables)
        UNION
        SELECT format('%I.%I', n.nspname, v.relname)
        FROM pg_depend d
        JOIN pg_rewrite r ON r.oid = d.objid
        JOIN pg_class v ON v.oid = r.ev_class
        JOIN pg_namespace n ON n.oid = v.relnamespace
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = ANY (live_tables) AND v.oid <> ALL (live_tables)
    ) relations;
    -- a partitioned table's partitions are locked with it
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', targets);
END;
$$;

REVOKE EXECUTE ON FUNCTION projector.rebuild_lock_live_tables() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projector.rebuild_lock_live_tables() TO vinsight_projector;
