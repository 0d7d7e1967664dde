-- Event store, outbox and inbox (DESIGN §4). Idempotent: safe to run at every start.
CREATE TABLE IF NOT EXISTS events (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,
    event_type      TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    recorded_at     INTEGER NOT NULL, -- DateTimeOffset as binary ticks (see PlatformDbContext)
    UNIQUE (stream_id, stream_version)
);

CREATE TABLE IF NOT EXISTS outbox (
    position      INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id    TEXT    NOT NULL UNIQUE,
    message_type  TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    tenant_id     TEXT    NULL,
    trace_parent  TEXT    NULL,
    trace_state   TEXT    NULL,
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NULL
);

CREATE INDEX IF NOT EXISTS ix_outbox_unsent ON outbox (position) WHERE sent_at IS NULL;

CREATE TABLE IF NOT EXISTS inbox (
    message_id    TEXT NOT NULL,
    consumer      TEXT NOT NULL,
    processed_at  INTEGER NOT NULL,
    PRIMARY KEY (message_id, consumer)
);
