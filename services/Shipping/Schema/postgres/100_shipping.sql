-- The orders the Shipping service can ship: the accepted marketplace order (its lines, packages and units) and,
-- once exported, its Shopify order — the key fulfilments arrive with.
CREATE TABLE IF NOT EXISTS shipping_orders (
    order_id          uuid        PRIMARY KEY,
    tenant_id         uuid        NOT NULL,
    connection_id     uuid        NOT NULL,
    channel           text        NOT NULL,
    channel_order_id  text        NOT NULL,
    "order"           text        NOT NULL,
    shopify_order_id  text        NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_shipping_orders_shopify ON shipping_orders (shopify_order_id);

-- One shipment per Shopify fulfilment (its id is unique: a duplicated webhook makes one shipment), with the packages
-- as each marketplace is told about them and what the marketplace answered.
CREATE TABLE IF NOT EXISTS shipments (
    shipment_id       uuid        PRIMARY KEY,
    order_id          uuid        NOT NULL,
    fulfillment_id    text        NOT NULL UNIQUE,
    carrier           text        NULL,
    tracking_numbers  text        NOT NULL,
    packages          text        NOT NULL,
    units             integer     NOT NULL,
    status            text        NOT NULL,
    error_code        text        NULL,
    error_message     text        NULL,
    version           bigint      NOT NULL,
    shipped_at        timestamptz NOT NULL,
    delivered_at      timestamptz NULL,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_shipments_order ON shipments (order_id);

-- A merchant's own carrier mapping over the defaults, by the tracking company name Shopify sends.
CREATE TABLE IF NOT EXISTS carrier_overrides (
    tenant_id               uuid NOT NULL,
    shopify_name            text NOT NULL,
    rakuten_jp_code         text NULL,
    rakuten_fr_transporter  text NULL,
    tracking_url            text NULL,
    PRIMARY KEY (tenant_id, shopify_name)
);
