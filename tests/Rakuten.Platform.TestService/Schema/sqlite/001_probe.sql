CREATE TABLE IF NOT EXISTS probe_effects (
    message_id   TEXT PRIMARY KEY,
    probe_id     TEXT NOT NULL,
    trace_id     TEXT NULL,
    received_at  INTEGER NOT NULL
);
