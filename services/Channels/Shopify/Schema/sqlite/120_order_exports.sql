-- The intent to create one Shopify order per accepted marketplace order, recorded before any call; Attempted means
-- a call went out whose answer was not recorded: the order is looked up by its tag before any new call.
CREATE TABLE IF NOT EXISTS order_exports (
    order_id              TEXT        PRIMARY KEY,
    tenant_id             TEXT        NOT NULL,
    connection_id         TEXT        NOT NULL,
    source_connection_id  TEXT        NOT NULL,
    channel               TEXT        NOT NULL,
    channel_order_id      TEXT        NOT NULL,
    "order"               TEXT        NOT NULL,
    state                 TEXT        NOT NULL,
    shopify_order_id      TEXT        NULL,
    shopify_order_name    TEXT        NULL,
    error                 TEXT        NULL,
    attempts              INTEGER     NOT NULL,
    next_attempt_at       INTEGER NOT NULL,
    created_at            INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_order_exports_due ON order_exports (next_attempt_at) WHERE state IN ('Pending', 'Attempted');
