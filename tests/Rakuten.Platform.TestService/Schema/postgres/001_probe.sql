CREATE TABLE IF NOT EXISTS probe_effects (
    message_id   uuid PRIMARY KEY,
    probe_id     uuid NOT NULL,
    trace_id     text NULL,
    received_at  timestamptz NOT NULL
);
