-- Where each projection stands in each Kafka partition: the offset of the next message to
-- apply. A projector writes it in the same transaction as the read-model rows of the batch and
-- seeks to it on start, which makes its effects exactly-once. Not tenant data: a partition
-- carries many tenants. The read API reads it to honour X-Consistency-Token.
CREATE TABLE projection_checkpoints (
    projection  text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT projection_checkpoints_pkey PRIMARY KEY (projection, topic, partition),
    CONSTRAINT projection_checkpoints_projection_length CHECK (char_length(projection) BETWEEN 1 AND 100),
    CONSTRAINT projection_checkpoints_topic_length CHECK (char_length(topic) BETWEEN 1 AND 249),
    CONSTRAINT projection_checkpoints_partition_range CHECK (partition >= 0),
    CONSTRAINT projection_checkpoints_next_offset_range CHECK (next_offset >= 0)
);
