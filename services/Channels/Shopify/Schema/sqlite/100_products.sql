CREATE TABLE IF NOT EXISTS webhook_deliveries (
    event_id       TEXT    PRIMARY KEY,
    connection_id  TEXT    NOT NULL,
    topic          TEXT    NOT NULL,
    triggered_at   INTEGER NULL,
    body           TEXT    NOT NULL,
    received_at    INTEGER NOT NULL,
    processed_at   INTEGER NULL,
    error          TEXT    NULL
);
CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_pending ON webhook_deliveries (received_at) WHERE processed_at IS NULL;

CREATE TABLE IF NOT EXISTS external_ids (
    connection_id  TEXT NOT NULL,
    kind           TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    internal_id    TEXT NOT NULL,
    PRIMARY KEY (connection_id, kind, external_id)
);

CREATE TABLE IF NOT EXISTS product_versions (
    connection_id        TEXT    NOT NULL,
    external_product_id  TEXT    NOT NULL,
    updated_at           INTEGER NOT NULL,
    deleted              INTEGER NOT NULL,
    PRIMARY KEY (connection_id, external_product_id)
);
