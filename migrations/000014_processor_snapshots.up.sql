-- Snapshots of the command processor's write model, one per input partition, so that a
-- partition's state is rebuilt from the snapshot plus the events after it instead of the whole
-- event store. A snapshot is only a shortcut: deleting every row
-- is always safe, the next rebuild just reads more of Kafka.
CREATE TABLE processor_snapshots (
    -- The commands topic the partition belongs to (several deployments may share a database).
    stream              text        NOT NULL,
    partition           integer     NOT NULL,
    -- Next offsets on the output topics that the state includes everything before.
    events_offset       bigint      NOT NULL,
    check_events_offset bigint      NOT NULL,
    results_offset      bigint      NOT NULL,
    -- gzip-compressed JSON: { tenants: TenantWriteSnapshot[], results: CommandResult[] }.
    state               bytea       NOT NULL,
    schema_version      integer     NOT NULL,
    taken_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT processor_snapshots_pkey PRIMARY KEY (stream, partition),
    CONSTRAINT processor_snapshots_offsets CHECK (events_offset >= 0 AND check_events_offset >= 0 AND results_offset >= 0)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON processor_snapshots TO vinsight_projector;
