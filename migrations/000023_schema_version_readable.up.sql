-- The startup probe of every role checks that the schema is at the version its build expects
-- (libs/health, schema-version.indicator.ts), with the role's own connection: the runtime roles
-- read the migration bookkeeping. Reading it reveals nothing about any tenant; writing stays the
-- owner's (the migrator's) alone. The table exists: the migrator (or golang-migrate) creates it
-- before the first migration runs.
GRANT SELECT ON TABLE schema_migrations TO vinsight_api, vinsight_projector;
