-- The intent to create one Shopify order per accepted marketplace order, recorded before any call; Attempted means
-- a call went out whose answer was not recorded: the order is looked up by its tag before any new call.
CREATE TABLE IF NOT EXISTS order_exports (
    order_id              uuid        PRIMARY KEY,
    tenant_id             uuid        NOT NULL,
    connection_id         uuid        NOT NULL,
    source_connection_id  uuid        NOT NULL,
    channel               text        NOT NULL,
    channel_order_id      text        NOT NULL,
    "order"               text        NOT NULL,
    state                 text        NOT NULL,
    shopify_order_id      text        NULL,
    shopify_order_name    text        NULL,
    error                 text        NULL,
    attempts              integer     NOT NULL,
    next_attempt_at       timestamptz NOT NULL,
    created_at            timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_order_exports_due ON order_exports (next_attempt_at) WHERE state IN ('Pending', 'Attempted');
