-- Rakuten France sells one item per unit. Each item the platform has seen: its sale (purchase), SKU, the platform's
-- decision (accept or refuse, recorded before the call so a crash repeats the same decision), Rakuten's status as
-- last seen, and when the platform's stock reflects it (reserved, held or cancelled: no longer counted as pending).
CREATE TABLE IF NOT EXISTS sale_items (
    connection_id  TEXT        NOT NULL,
    item_id        INTEGER     NOT NULL,
    purchase_id    INTEGER     NOT NULL,
    sku            TEXT        NOT NULL,
    decision       TEXT        NOT NULL,
    reason         TEXT        NULL,
    status         TEXT        NOT NULL,
    decided_at     INTEGER     NOT NULL,
    settled_at     INTEGER     NULL,
    PRIMARY KEY (connection_id, item_id)
);
CREATE INDEX IF NOT EXISTS ix_sale_items_purchase ON sale_items (connection_id, purchase_id);

-- Sales handed to the platform as ChannelOrderReceived: (connection, purchase id) makes each one arrive once.
CREATE TABLE IF NOT EXISTS imported_sales (
    connection_id  TEXT        NOT NULL,
    purchase_id    INTEGER     NOT NULL,
    imported_at    INTEGER     NOT NULL,
    PRIMARY KEY (connection_id, purchase_id)
);

-- The platform's latest quantity per (connection, SKU) for Rakuten France (from ChannelStockChanged).
CREATE TABLE IF NOT EXISTS sku_quantities (
    connection_id  TEXT        NOT NULL,
    sku            TEXT        NOT NULL,
    quantity       INTEGER     NOT NULL,
    PRIMARY KEY (connection_id, sku)
);
