-- The last ChannelStockChanged version applied per (connection, SKU): an older one changes nothing.
CREATE TABLE IF NOT EXISTS offer_stock_versions (
    connection_id  TEXT   NOT NULL,
    sku            TEXT   NOT NULL,
    version        INTEGER NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
