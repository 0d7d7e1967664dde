-- The last available quantity handed on per (inventory item, location) with Shopify's updated_at and the version
-- sent with it (older or duplicate deliveries change nothing), and the SKU each inventory item carries.
CREATE TABLE IF NOT EXISTS stock_levels (
    connection_id      uuid        NOT NULL,
    inventory_item_id  text        NOT NULL,
    location_id        text        NOT NULL,
    available          integer     NOT NULL,
    updated_at         timestamptz NOT NULL,
    version            bigint      NOT NULL,
    PRIMARY KEY (connection_id, inventory_item_id, location_id)
);

CREATE TABLE IF NOT EXISTS inventory_item_skus (
    connection_id      uuid NOT NULL,
    inventory_item_id  text NOT NULL,
    sku                text NOT NULL,
    PRIMARY KEY (connection_id, inventory_item_id)
);

-- The webhook processor reads the unprocessed deliveries in arrival order, batch after batch.
CREATE INDEX IF NOT EXISTS ix_webhook_deliveries_pending ON webhook_deliveries (received_at) WHERE processed_at IS NULL;
