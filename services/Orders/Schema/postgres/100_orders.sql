-- The order read model (the event stream order-{id} records what happened): one row per (connection, channel
-- order id) — the unique key is what makes an order import exactly once, even with two pollers — and the SKUs
-- the catalog knows per product, for the unknown / duplicate SKU holds.
CREATE TABLE IF NOT EXISTS orders (
    order_id            uuid        PRIMARY KEY,
    tenant_id           uuid        NOT NULL,
    connection_id       uuid        NOT NULL,
    channel             text        NOT NULL,
    channel_order_id    text        NOT NULL,
    channel_status      text        NOT NULL,
    status              text        NOT NULL,
    hold_reason         text        NULL,
    hold_detail         text        NULL,
    hold_action         text        NULL,
    "order"             text        NULL,
    parse_error         text        NULL,
    shopify_order_id    text        NULL,
    shopify_order_name  text        NULL,
    received_at         timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    UNIQUE (connection_id, channel_order_id)
);
CREATE INDEX IF NOT EXISTS ix_orders_tenant ON orders (tenant_id, status);

CREATE TABLE IF NOT EXISTS catalog_skus (
    tenant_id   uuid NOT NULL,
    sku         text NOT NULL,
    product_id  uuid NOT NULL,
    PRIMARY KEY (tenant_id, sku, product_id)
);
