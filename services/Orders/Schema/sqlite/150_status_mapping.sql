-- Issue 22: each marketplace connection's status mapping (its own rules over the documented defaults), and the
-- connections Orders knows of, so that a table is only ever the caller's own connection's.
CREATE TABLE IF NOT EXISTS order_connections (
    connection_id TEXT    PRIMARY KEY,
    tenant_id     TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    removed       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS status_rules (
    connection_id     TEXT    NOT NULL,
    channel_status    TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    tags              TEXT    NOT NULL,
    hold_fulfillment  INTEGER NOT NULL,
    cancel_in_shopify INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    updated_by        TEXT    NOT NULL,
    PRIMARY KEY (connection_id, channel_status)
);
