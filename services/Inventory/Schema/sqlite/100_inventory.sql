-- Stock per (Shopify connection, location, SKU) with the adapter's version (older reports change nothing),
-- reservations of accepted orders, each Rakuten connection's allocation rule, and the quantity last published
-- per (connection, SKU) with its version.
CREATE TABLE IF NOT EXISTS location_stock (
    tenant_id             TEXT        NOT NULL,
    source_connection_id  TEXT        NOT NULL,
    location_id           TEXT        NOT NULL,
    sku                   TEXT        NOT NULL,
    available             INTEGER     NOT NULL,
    version               INTEGER      NOT NULL,
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (source_connection_id, location_id, sku)
);
CREATE INDEX IF NOT EXISTS ix_location_stock_sku ON location_stock (tenant_id, sku);

CREATE TABLE IF NOT EXISTS reservations (
    tenant_id  TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    sku        TEXT    NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (order_id, sku)
);
CREATE INDEX IF NOT EXISTS ix_reservations_sku ON reservations (tenant_id, sku);

CREATE TABLE IF NOT EXISTS channel_rules (
    connection_id  TEXT    PRIMARY KEY,
    tenant_id      TEXT    NOT NULL,
    channel        TEXT    NOT NULL,
    locations      TEXT    NULL,
    buffer         INTEGER NOT NULL,
    max_quantity   INTEGER NULL,
    zero_below     INTEGER NULL,
    removed        INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS channel_quantities (
    connection_id  TEXT    NOT NULL,
    sku            TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    version        INTEGER  NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
