-- Issue 22: "sync orders now" — each order a sync found, what the adapter did with it and what the platform decided.
CREATE TABLE IF NOT EXISTS order_sync_items (
    job_id        TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    order_number  TEXT    NOT NULL,
    outcome       TEXT    NOT NULL,
    decision      TEXT,
    decided_at    INTEGER,
    PRIMARY KEY (job_id, order_number)
);

-- The platform's decision on an order reaches every sync that found it.
CREATE INDEX IF NOT EXISTS order_sync_items_order ON order_sync_items (connection_id, order_number);
