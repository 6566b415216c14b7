-- The projector's own operational state, kept out of the read-model schema: the read API's role
-- has no access to it, and the read side's Prisma schema does not model it.
CREATE SCHEMA projector;

-- Events a projection could not apply (unreadable, invalid, or refused by a constraint), parked
-- with the reason so the projection goes on; operators list and replay them
-- (`npm run projections -- parked ...`). One row per record: a record parked twice (after a
-- crash before the checkpoint moved) stays one row. The raw value is kept as bytes, because a
-- record that is not UTF-8 JSON is exactly what may end up here.
CREATE TABLE projector.parked_events (
    id            bigint      GENERATED ALWAYS AS IDENTITY,
    projection    text        NOT NULL,
    topic         text        NOT NULL,
    partition     integer     NOT NULL,
    "offset"      bigint      NOT NULL,
    record_key    text,
    record_value  bytea,
    headers       jsonb       NOT NULL DEFAULT '{}',
    -- what could be read of the envelope; NULL when the record is not an envelope at all
    event_id      uuid,
    event_type    text,
    tenant_id     uuid,
    reason        text        NOT NULL,
    error_code    text        NOT NULL,
    parked_at     timestamptz NOT NULL DEFAULT now(),
    replay_count  integer     NOT NULL DEFAULT 0,
    replayed_at   timestamptz,
    -- 'applied' (the event changed the read models) or 'superseded' (newer events had already
    -- moved the rows past it); NULL while it waits
    replay_outcome text,
    CONSTRAINT parked_events_pkey PRIMARY KEY (id),
    CONSTRAINT parked_events_record_key UNIQUE (projection, topic, partition, "offset"),
    CONSTRAINT parked_events_replay_outcome_valid CHECK (replay_outcome IN ('applied', 'superseded')),
    CONSTRAINT parked_events_replayed_consistent CHECK ((replayed_at IS NULL) = (replay_outcome IS NULL))
);

-- Operators list what still waits, oldest first.
CREATE INDEX parked_events_waiting_idx ON projector.parked_events (projection, id) WHERE replayed_at IS NULL;

GRANT USAGE ON SCHEMA projector TO vinsight_projector;
GRANT SELECT, INSERT, UPDATE, DELETE ON projector.parked_events TO vinsight_projector;

-- Retention deletes rollup rows older than 400 days in bounded batches; without these it would
-- scan every rollup row of every tenant for each batch.
CREATE INDEX monitor_check_rollups_hourly_bucket_idx ON monitor_check_rollups_hourly (bucket_start);
CREATE INDEX monitor_check_rollups_daily_bucket_idx ON monitor_check_rollups_daily (bucket_start);

-- Summary counts per tenant (GET /v1/summary), derived from the two projected tables they
-- count rather than kept as counters: a counter table would need the projector to recount a
-- tenant on every status change anyway, and these lookups are served by
-- monitors_tenant_status_idx and incidents_open_monitor_key. security_invoker, so the caller's
-- row level security applies: the read API sees its own tenant's row only. Paused monitors
-- count as paused, not by their last status (as the read API reports them).
CREATE VIEW tenant_summaries WITH (security_invoker = true) AS
SELECT t.id AS tenant_id,
       m.total AS monitors_total,
       m.up AS monitors_up,
       m.down AS monitors_down,
       m.unknown AS monitors_unknown,
       m.paused AS monitors_paused,
       i.open_incidents
FROM tenants t
CROSS JOIN LATERAL (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE is_active AND status = 'up') AS up,
           count(*) FILTER (WHERE is_active AND status = 'down') AS down,
           count(*) FILTER (WHERE is_active AND status = 'unknown') AS unknown,
           count(*) FILTER (WHERE NOT is_active) AS paused
    FROM monitors
    WHERE monitors.tenant_id = t.id AND monitors.deleted_at IS NULL
) m
CROSS JOIN LATERAL (
    SELECT count(*) AS open_incidents
    FROM incidents
    WHERE incidents.tenant_id = t.id AND incidents.resolved_at IS NULL
) i;

GRANT SELECT ON tenant_summaries TO vinsight_api, vinsight_projector;
