-- The last ChannelStockChanged version applied per (connection, SKU): an older one changes nothing.
CREATE TABLE IF NOT EXISTS offer_stock_versions (
    connection_id  uuid   NOT NULL,
    sku            text   NOT NULL,
    version        bigint NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
