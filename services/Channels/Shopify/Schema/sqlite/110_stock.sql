-- The last available quantity handed on per (inventory item, location) with Shopify's updated_at and the version
-- sent with it (older or duplicate deliveries change nothing), and the SKU each inventory item carries.
CREATE TABLE IF NOT EXISTS stock_levels (
    connection_id      TEXT        NOT NULL,
    inventory_item_id  TEXT        NOT NULL,
    location_id        TEXT        NOT NULL,
    available          INTEGER     NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER      NOT NULL,
    PRIMARY KEY (connection_id, inventory_item_id, location_id)
);

CREATE TABLE IF NOT EXISTS inventory_item_skus (
    connection_id      TEXT NOT NULL,
    inventory_item_id  TEXT NOT NULL,
    sku                TEXT NOT NULL,
    PRIMARY KEY (connection_id, inventory_item_id)
);

-- The webhook processor reads the unprocessed deliveries in arrival order, batch after batch.
CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_pending ON webhook_deliveries (received_at) WHERE processed_at IS NULL;
