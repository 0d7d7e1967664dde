-- Stock per (Shopify connection, location, SKU) with the adapter's version (older reports change nothing),
-- reservations of accepted orders, each Rakuten connection's allocation rule, and the quantity last published
-- per (connection, SKU) with its version.
CREATE TABLE IF NOT EXISTS location_stock (
    tenant_id             uuid        NOT NULL,
    source_connection_id  uuid        NOT NULL,
    location_id           text        NOT NULL,
    sku                   text        NOT NULL,
    available             integer     NOT NULL,
    version               bigint      NOT NULL,
    updated_at            timestamptz NOT NULL,
    PRIMARY KEY (source_connection_id, location_id, sku)
);
CREATE INDEX IF NOT EXISTS ix_location_stock_sku ON location_stock (tenant_id, sku);

CREATE TABLE IF NOT EXISTS reservations (
    tenant_id  uuid    NOT NULL,
    order_id   uuid    NOT NULL,
    sku        text    NOT NULL,
    quantity   integer NOT NULL,
    PRIMARY KEY (order_id, sku)
);
CREATE INDEX IF NOT EXISTS ix_reservations_sku ON reservations (tenant_id, sku);

CREATE TABLE IF NOT EXISTS channel_rules (
    connection_id  uuid    PRIMARY KEY,
    tenant_id      uuid    NOT NULL,
    channel        text    NOT NULL,
    locations      text    NULL,
    buffer         integer NOT NULL,
    max_quantity   integer NULL,
    zero_below     integer NULL,
    removed        boolean NOT NULL
);

CREATE TABLE IF NOT EXISTS channel_quantities (
    connection_id  uuid    NOT NULL,
    sku            text    NOT NULL,
    quantity       integer NOT NULL,
    version        bigint  NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
