-- The orders the Shipping service can ship: the accepted marketplace order (its lines, packages and units) and,
-- once exported, its Shopify order — the key fulfilments arrive with.
CREATE TABLE IF NOT EXISTS shipping_orders (
    order_id          TEXT        PRIMARY KEY,
    tenant_id         TEXT        NOT NULL,
    connection_id     TEXT        NOT NULL,
    channel           TEXT        NOT NULL,
    channel_order_id  TEXT        NOT NULL,
    "order"           TEXT        NOT NULL,
    shopify_order_id  TEXT        NULL,
    updated_at        INTEGER     NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_shipping_orders_shopify ON shipping_orders (shopify_order_id);

-- One shipment per Shopify fulfilment (its id is unique: a duplicated webhook makes one shipment), with the packages
-- as each marketplace is told about them and what the marketplace answered.
CREATE TABLE IF NOT EXISTS shipments (
    shipment_id       TEXT        PRIMARY KEY,
    order_id          TEXT        NOT NULL,
    fulfillment_id    TEXT        NOT NULL UNIQUE,
    carrier           TEXT        NULL,
    tracking_numbers  TEXT        NOT NULL,
    packages          TEXT        NOT NULL,
    units             INTEGER     NOT NULL,
    status            TEXT        NOT NULL,
    error_code        TEXT        NULL,
    error_message     TEXT        NULL,
    version           INTEGER     NOT NULL,
    shipped_at        INTEGER     NOT NULL,
    delivered_at      INTEGER     NULL,
    updated_at        INTEGER     NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_shipments_order ON shipments (order_id);

-- A merchant's own carrier mapping over the defaults, by the tracking company name Shopify sends.
CREATE TABLE IF NOT EXISTS carrier_overrides (
    tenant_id               TEXT NOT NULL,
    shopify_name            TEXT NOT NULL,
    rakuten_jp_code         TEXT NULL,
    rakuten_fr_transporter  TEXT NULL,
    tracking_url            TEXT NULL,
    PRIMARY KEY (tenant_id, shopify_name)
);
