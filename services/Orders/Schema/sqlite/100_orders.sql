-- The order read model (the event stream order-{id} records what happened): one row per (connection, channel
-- order id) — the unique key is what makes an order import exactly once, even with two pollers — and the SKUs
-- the catalog knows per product, for the unknown / duplicate SKU holds.
CREATE TABLE IF NOT EXISTS orders (
    order_id            TEXT        PRIMARY KEY,
    tenant_id           TEXT        NOT NULL,
    connection_id       TEXT        NOT NULL,
    channel             TEXT        NOT NULL,
    channel_order_id    TEXT        NOT NULL,
    channel_status      TEXT        NOT NULL,
    status              TEXT        NOT NULL,
    hold_reason         TEXT        NULL,
    hold_detail         TEXT        NULL,
    hold_action         TEXT        NULL,
    "order"             TEXT        NULL,
    parse_error         TEXT        NULL,
    shopify_order_id    TEXT        NULL,
    shopify_order_name  TEXT        NULL,
    received_at         INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (connection_id, channel_order_id)
);
CREATE INDEX IF NOT EXISTS ix_orders_tenant ON orders (tenant_id, status);

CREATE TABLE IF NOT EXISTS catalog_skus (
    tenant_id   TEXT NOT NULL,
    sku         TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, sku, product_id)
);
